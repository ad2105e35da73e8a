DROP INDEX jobs_ready ON jobs;
