DROP TABLE auth_password_resets;
