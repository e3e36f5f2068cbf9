pub mod m20261125_000002_auth_tables;
