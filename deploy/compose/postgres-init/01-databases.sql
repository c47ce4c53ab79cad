-- One database and one login role per service (STYLE §6); each role owns its own database only.
-- Run once by the postgres image on an empty data directory, as the superuser, through psql.
-- Passwords come from the container environment (see compose.yml / .env.example) via psql's
-- \getenv (psql 15+), so no secret is written in this file.

\set ON_ERROR_STOP on

\getenv registry_password REGISTRY_DB_PASSWORD
\getenv credit_password CREDIT_DB_PASSWORD
\getenv procurement_password PROCUREMENT_DB_PASSWORD
\getenv party_password PARTY_DB_PASSWORD
\getenv cultivation_password CULTIVATION_DB_PASSWORD
\getenv gateway_password GATEWAY_DB_PASSWORD

-- An unset password leaves its variable uninterpolated, so the script stops with a syntax error.
-- REVOKE … FROM PUBLIC: only the owner (and the superuser) may connect to a service's database.

CREATE ROLE registry LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'registry_password';
CREATE DATABASE registry OWNER registry;
REVOKE ALL ON DATABASE registry FROM PUBLIC;

CREATE ROLE credit LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'credit_password';
CREATE DATABASE credit OWNER credit;
REVOKE ALL ON DATABASE credit FROM PUBLIC;

CREATE ROLE procurement LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'procurement_password';
CREATE DATABASE procurement OWNER procurement;
REVOKE ALL ON DATABASE procurement FROM PUBLIC;

CREATE ROLE party LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'party_password';
CREATE DATABASE party OWNER party;
REVOKE ALL ON DATABASE party FROM PUBLIC;

CREATE ROLE cultivation LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'cultivation_password';
CREATE DATABASE cultivation OWNER cultivation;
REVOKE ALL ON DATABASE cultivation FROM PUBLIC;

-- The gateway's own small store (API clients, audit log, cache), never another service's tables.
CREATE ROLE gateway LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'gateway_password';
CREATE DATABASE gateway OWNER gateway;
REVOKE ALL ON DATABASE gateway FROM PUBLIC;

-- The default `postgres` database is for administration only.
REVOKE ALL ON DATABASE postgres FROM PUBLIC;
