"""The registration service: libraries, branches, people and their roles and credentials, cohorts
and enrolments. `registration.domain` holds the pure rules; the service layer wires them to
MongoDB, HTTP and the event bus."""
