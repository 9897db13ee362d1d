-- setup.sql (as the superuser, after CREATE EXTENSION and scripts/create-roles.sql): one login
-- per group role, a login in no group, and mallory, an application login that may create objects
-- in public (as every role could before PostgreSQL 15) and owns a schema of its own.
CREATE ROLE app_login LOGIN IN ROLE profile_app;
CREATE ROLE publisher_login LOGIN IN ROLE profile_publisher;
CREATE ROLE admin_login LOGIN IN ROLE profile_admin;
CREATE ROLE nobody_login LOGIN;
CREATE ROLE cache_reader_login LOGIN IN ROLE profile_cache_reader;
CREATE ROLE mallory LOGIN IN ROLE profile_app;
CREATE SCHEMA mallory AUTHORIZATION mallory;
GRANT CREATE ON SCHEMA public TO mallory;
-- Schema usage alone must not open the functions: PUBLIC has no EXECUTE on them.
GRANT USAGE ON SCHEMA profile TO nobody_login;
-- Planted objects come first, and pg_catalog last, so they shadow the built-ins by name.
ALTER ROLE mallory SET search_path = pg_temp, mallory, public, pg_catalog;
ALTER ROLE app_login SET search_path = public, pg_catalog;
