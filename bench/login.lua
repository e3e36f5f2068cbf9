-- wrk -s bench/login.lua: POST /api/v1/auth/login with a seeded account.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email":"staff@dealer-a.evdms.dev","password":"ChangeMe-123!"}'
