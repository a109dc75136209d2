-- Who downloaded: the token's principal (preferred_username, else sub) of the caller; a user or client name, never
-- PHI. Null for the downloads recorded before the APIs required a token.
alter table download add column downloaded_by varchar(255);
