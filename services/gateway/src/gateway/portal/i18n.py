"""Danish first: templates are written in Danish and `_()` gives the English when chosen."""

from __future__ import annotations

from flask import has_request_context, session

EN = {
    "Verdensmålscertificering for biblioteker": "SDG certification for libraries",
    "Gå til indhold": "Skip to content",
    "Log ind": "Sign in", "Log ud": "Sign out", "Tilmeld bibliotek": "Register a library",
    "Forside": "Home", "Dashboard": "Dashboard", "Aktiviteter": "Evidence", "Team": "Team",
    "Handleplan": "Action plan", "Vurdering": "Review", "Administration": "Administration",
    "Certificerede biblioteker": "Certified libraries", "Tjek certifikat": "Verify a certificate",
    "E-mail": "Email", "Adgangskode": "Password", "Navn": "Name", "Gem": "Save", "Send": "Send",
    "Bibliotekets navn": "Library name", "ISIL-kode": "ISIL code", "Kommune": "Municipality",
    "Bibliotekstype": "Kind of library", "Antal ansatte": "Number of staff",
    "Folkebibliotek": "Public library", "Uddannelsesbibliotek": "Academic library",
    "Koordinator": "Coordinator", "Dit navn": "Your name",
    "Tjek din e-mail": "Check your email",
    "Bekræft e-mail": "Confirm email", "Bekræft": "Confirm",
    "Din e-mail er bekræftet. Du kan nu logge ind.": "Your email is confirmed. You can sign in now.",
    "Forkert e-mail eller adgangskode.": "Wrong email or password.",
    "Status": "Status", "Fremdrift": "Progress", "Foreløbig": "Provisional", "Godkendt": "Verified",
    "Verdensmål": "Sustainable Development Goals", "Det mangler I": "What is still missing",
    "Seneste aktiviteter": "Recent evidence", "Ny aktivitet": "New evidence",
    "Titel": "Title", "Beskrivelse": "Description", "Type": "Kind", "Dimension": "Dimension",
    "Dato": "Date", "Deltagere": "Participants", "Aldersgrupper": "Age groups", "Partnere": "Partners",
    "Skabt sammen med borgere eller partnere": "Co-created with citizens or partners",
    "Vedhæft foto eller PDF": "Attach a photo or PDF", "Upload": "Upload",
    "Indsend til vurdering": "Submit for review", "Gemt": "Saved", "Gemmer …": "Saving …",
    "Kladde": "Draft", "Indsendt": "Submitted", "Afvist": "Rejected",
    "Uddybning ønsket": "Clarification requested", "Filtrér": "Filter", "Alle": "All",
    "Søg": "Search", "Inviter kollega": "Invite a colleague", "Rolle": "Role", "Medlem": "Member",
    "Inviter": "Invite", "Kø til vurdering": "Review queue", "Klar til vurdering": "Ready for review",
    "Afventer vurdering": "Awaiting review", "Godkend": "Approve", "Bed om uddybning": "Ask for clarification",
    "Afvis": "Reject", "Kommentar": "Comment", "Frist": "Deadline", "Tildel certifikat": "Award certificate",
    "Krav": "Requirements", "Mål": "Target", "Opnået": "Achieved", "Begrundelse": "Reason",
    "Justér mål": "Adjust target", "Certifikat": "Certificate", "Gyldigt til": "Valid until",
    "Gyldigt": "Valid", "Tilbagekaldt": "Revoked", "Udløbet": "Lapsed", "Ukendt": "Unknown",
    "Indlejr mærket": "Embed the badge", "Offentlige aktiviteter": "Public activities",
    "Ingen endnu.": "None yet.", "Afmeld e-mails": "Unsubscribe from emails", "Afmeld": "Unsubscribe",
    "Nulstil adgangskode": "Reset password", "Ny adgangskode": "New password",
    "Accepter invitation": "Accept invitation", "Opret": "Create", "Tilbage": "Back",
    "Tjenesten er midlertidigt utilgængelig": "The service is temporarily unavailable",
    "Denne del er midlertidigt utilgængelig. Resten af siden virker.":
        "This part is temporarily unavailable. The rest of the page works.",
    "Prøv igen om lidt.": "Try again shortly.",
    "Der opstod en fejl": "Something went wrong", "Siden findes ikke": "Page not found",
    "Dækket": "Covered", "Ikke dækket": "Not covered", "Tråd": "Thread", "Besked": "Message",
    "Vedhæftede filer": "Attachments", "Rediger": "Edit", "Kopiér til vores plan": "Copy to our plan",
    "Delte cases": "Shared cases", "Modelversioner": "Model versions", "Kohorter": "Cohorts",
    "Biblioteker": "Libraries", "Nationale tal": "National figures", "Fejlede forsendelser": "Failed deliveries",
    "Hent CSV": "Download CSV", "Certifikatnummer": "Certificate number", "Tjek": "Verify",
    "Biblioteket som formidler": "The library as communicator",
    "Biblioteket som facilitator": "The library as facilitator",
    "Biblioteket som aktør": "The library as actor",
    "Sprog": "Language", "Samlet": "Overall",
    "Tilmeldingen er modtaget. Vi har sendt en e-mail med et link, så du kan bekræfte din adresse.":
        "Your registration is received. We sent an email with a link to confirm your address.",
}


def lang() -> str:
    return session.get("lang", "da") if has_request_context() else "da"


def gettext(text: str) -> str:
    return EN.get(text, text) if lang() == "en" else text
