CREATE INDEX jobs_ready ON jobs (queue, state, run_at);
