-- Demo families for local development (README, docs/README.md). Idempotent: a family already there
-- is left as it is (a password chosen while trying the flow survives a restart; `npm run db:reset:local`
-- starts over).
-- MARTIN Claire's hash is scrypt (N=2^14, r=8, p=5) of `Bienvenue2026`.
INSERT INTO families (family_number, last_name, first_name, email, password_hash)
VALUES
  ('123456780123456', 'IVETON', 'Lionel', 'lionel.iveton@example.org', NULL),
  ('123456780123457', 'MARTIN', 'Claire', 'claire.martin@example.org',
   'scrypt$14$8$5$xJ60b1wA4omza+Sx3uF87Q==$KUkuOHGQWjO8+1o4IUST2Cjo9ucvmXvT+knZD4GSKQU=')
ON CONFLICT (family_number) DO NOTHING;
