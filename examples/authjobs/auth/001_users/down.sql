DROP TABLE auth_users;
