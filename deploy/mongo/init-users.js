// Runs once, on the first start of an empty data volume (docker-entrypoint-initdb.d), as the
// root user. One user per service, in that service's own database, with readWrite on that
// database only: no service can read another's data (DESIGN.md section 2).
// Passwords come from the container environment (<SERVICE>_DB_PASSWORD); they must match the
// ones in the services' CHORA_<SERVICE>_MONGO_URL. Changing one later: db.changeUserPassword().
const services = ["registration", "evidence", "scoring", "notification"];

for (const service of services) {
  const password = process.env[`${service.toUpperCase()}_DB_PASSWORD`];
  if (!password) {
    throw new Error(`${service.toUpperCase()}_DB_PASSWORD is not set`);
  }
  const database = db.getSiblingDB(`chora_${service}`);
  if (database.getUser(service) === null) {
    database.createUser({
      user: service,
      pwd: password,
      roles: [{ role: "readWrite", db: `chora_${service}` }],
    });
    print(`created user ${service} on chora_${service}`);
  }
}
