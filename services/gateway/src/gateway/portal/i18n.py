"""Danish first: templates are written in Danish and `_()` gives the English when chosen."""

from __future__ import annotations

from contextvars import ContextVar

from flask import has_request_context, session

# lang() is asked ~50 times per page (every `_()` in a template): the session's choice is read once
# per request and kept here. forget() is called wherever the session's language may change, and at
# the start and end of every request (portal.install), so no answer outlives its request.
_LANG: ContextVar[str | None] = ContextVar("gateway_lang", default=None)

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

# -- added: every remaining page string (tests/unit/test_gateway_i18n.py checks none is missing) --
EN.update({
    "Administrator": "Administrator", "Af": "By", "Afgørelse": "Decision", "Assessor": "Assessor",
    "Afskaf fattigdom": "No poverty", "Stop sult": "Zero hunger", "Sundhed og trivsel": "Good health and well-being",
    "Kvalitetsuddannelse": "Quality education", "Ligestilling mellem kønnene": "Gender equality",
    "Rent vand og sanitet": "Clean water and sanitation", "Bæredygtig energi": "Affordable and clean energy",
    "Anstændige jobs og økonomisk vækst": "Decent work and economic growth",
    "Industri, innovation og infrastruktur": "Industry, innovation and infrastructure",
    "Mindre ulighed": "Reduced inequalities", "Bæredygtige byer og lokalsamfund": "Sustainable cities and communities",
    "Ansvarligt forbrug og produktion": "Responsible consumption and production", "Klimaindsats": "Climate action",
    "Livet i havet": "Life below water", "Livet på land": "Life on land",
    "Fred, retfærdighed og stærke institutioner": "Peace, justice and strong institutions",
    "Partnerskaber for handling": "Partnerships for the goals",
    "Aktivitet": "Activity", "Kommunikation": "Communication", "Driftstiltag": "Operations measure",
    "Personaleuddannelse": "Staff training", "Delt case": "Shared case",
    "Børn": "Children", "Unge": "Young people", "Voksne": "Adults", "Ældre": "Seniors",
    "Trukket tilbage": "Withdrawn", "Ikke startet": "Not started", "I gang": "In progress",
    "Certificeret": "Certified", "Årlig opfølgning forfalden": "Annual check-in due",
    "Afventer bekræftelse": "Awaiting confirmation", "Aktiv": "Active", "Udmeldt": "Withdrawn",
    "Inviteret": "Invited", "Deaktiveret": "Deactivated", "Slettet": "Erased",
    "Oprettet": "Created", "Rettet": "Edited", "Vurderet": "Reviewed",
    "Spørgsmål besvaret og indsendt igen": "Question answered and resubmitted", "Besked i tråden": "Message in the thread",
    "Fil vedhæftet": "File attached", "Fil fjernet": "File removed", "Delt med andre biblioteker": "Shared with other libraries",
    "Slutdato": "End date", "Før": "Before", "Efter": "After", "Enhed": "Unit", "Andel af personalet (%)": "Share of staff (%)",
    "Links": "Links", "Vis offentligt, når den er godkendt": "Show publicly once approved", "Delt": "Shared",
    "Udgivet": "Published", "Planlagt": "Planned", "Åben": "Open", "Lukket": "Closed",
    "Venter": "Waiting", "Sendes": "Sending", "Sendt": "Sent", "Fejlet": "Failed", "Annulleret": "Cancelled",
    "Frameldt af modtageren": "Opted out by the recipient",
    # flashed outcomes and messages
    "Afgørelsen er gemt.": "The decision is saved.",
    "Afgørelsen om handleplanen er gemt.": "The decision on the action plan is saved.",
    "Certifikatet er tildelt.": "The certificate is awarded.", "Målet er justeret.": "The target is adjusted.",
    "Handleplanen er gemt.": "The action plan is saved.",
    "Aktiviteten er delt med de andre biblioteker.": "The evidence is shared with the other libraries.",
    "Aktiviteten er trukket tilbage. Du kan rette den og indsende den igen.":
        "The evidence is withdrawn. You can edit it and submit it again.",
    "Beskeden er sendt.": "The message is sent.",
    "Biblioteket er tilmeldt kohorten.": "The library is enrolled in the cohort.",
    "Biblioteket er flyttet til den nye kohorte.": "The library is moved to the new cohort.",
    "Bibliotekets tilmelding til kohorten er afsluttet.": "The library's enrolment in the cohort is ended.",
    "Biblioteket er ikke tilmeldt en kohorte.": "The library is not enrolled in a cohort.",
    "Vælg den kohorte, biblioteket skal tilmeldes.": "Choose the cohort to enrol the library in.",
    "Biblioteket er tilmeldt": "The library is enrolled in", "siden": "since",
    "Biblioteket er udmeldt og kan ikke tilmeldes en kohorte.": "The library has withdrawn and cannot be enrolled in a cohort.",
    "Flyt til kohorten": "Move to the cohort", "Tilmeld kohorten": "Enrol in the cohort", "Flyt": "Move",
    "Tilmeldingen til den nuværende kohorte afsluttes, og biblioteket tilmeldes den nye.":
        "The enrolment in the current cohort ends and the library is enrolled in the new one.",
    "Ingen anden kohorte er åben for tilmelding.": "No other cohort is open for enrolment.",
    "Afslut tilmeldingen": "End the enrolment", "Afslut tilmeldingen …": "End the enrolment …",
    "Biblioteket forlader kohorten, men bliver ved med at være registreret og kan tilmeldes igen.":
        "The library leaves the cohort but stays registered and can be enrolled again.",
    "Er du sikker?": "Are you sure?", "afmeldes kohorten": "leaves the cohort", "Fortryd": "Cancel",
    "Ja, afslut tilmeldingen": "Yes, end the enrolment", "skift kohorte": "change cohort",
    "Din adgangskode er skiftet. Du kan nu logge ind.": "Your password is changed. You can sign in now.",
    "Dit sprogvalg er gemt. Vi skriver også til dig på det sprog.":
        "Your language is saved. We will also write to you in that language.",
    "Dit svar er sendt, og aktiviteten er indsendt igen.": "Your answer is sent and the evidence is submitted again.",
    "Du får igen nyheder og påmindelser på e-mail.": "You will get news and reminders by email again.",
    "Du får nu kun de nødvendige e-mails (fx invitationer, nulstilling og afgørelser).":
        "You now get only the necessary emails (such as invitations, password resets and decisions).",
    "Du modtager ikke længere e-mails, der ikke er nødvendige.": "You no longer receive emails that are not necessary.",
    "Erfaringen er kopieret ind i jeres handleplan som et nyt mål.":
        "The case is copied into your action plan as a new goal.",
    "Erfaringen er kopieret som en ny kladde. Ret den til, så den passer til jer.":
        "The case is copied as a new draft. Adapt it to your library.",
    "Et mål skal være et tal.": "A target must be a number.",
    "For mange forsøg. Vent et kvarter og prøv igen.": "Too many attempts. Wait a quarter of an hour and try again.",
    "Hvis adressen er kendt, har vi sendt en e-mail med et link.": "If the address is known, we have sent an email with a link.",
    "Invitationen er sendt.": "The invitation is sent.",
    "Invitationen er sendt igen. Det gamle link virker ikke længere.":
        "The invitation is sent again. The old link no longer works.",
    "Invitationen er tilbagekaldt.": "The invitation is revoked.",
    "Kladden er klar. Ret målene, forhåndsvis virkningen og udgiv.":
        "The draft is ready. Edit the targets, preview the impact and publish.",
    "Kohorten er oprettet.": "The cohort is created.",
    "Mailen er sat i kø til at blive sendt igen.": "The mail is queued to be sent again.",
    "Modelversionen er udgivet, og alle biblioteker er beregnet igen.":
        "The model version is published and every library is scored again.",
    "Målene er gemt i kladden.": "The targets are saved in the draft.",
    "Personen er deaktiveret og kan ikke længere logge ind.": "The person is deactivated and can no longer sign in.",
    "Rollen er ændret.": "The role is changed.",
    "Tjenesten er midlertidigt utilgængelig. Prøv igen om lidt.":
        "The service is temporarily unavailable. Try again shortly.",
    "Velkommen! Du kan nu logge ind.": "Welcome! You can sign in now.",
    "Fejl": "Error", "Kunne ikke indsende": "Could not submit", "Der opstod en fejl": "Something went wrong",
    # pages
    "Aktiviteten er vurderet. Når du gemmer en ændring, bliver den en ny revision som kladde, der skal indsendes og vurderes igen.":
        "The evidence has been reviewed. When you save a change, it becomes a new draft revision that must be submitted and reviewed again.",
    "Alle aktiviteter": "All evidence", "Alle krav er opfyldt foreløbigt.": "Every requirement is provisionally met.",
    "Alle modelversioner": "All model versions", "Antal biblioteker pr. verdensmål": "Number of libraries per goal",
    "Begrundelse (valgfri)": "Reason (optional)", "Besvar spørgsmålet": "Answer the question",
    "Bibliotek": "Library", "Biblioteker der skifter status": "Libraries that change status",
    "Biblioteker pr. verdensmål": "Libraries per goal", "Bibliotekernes kohorter": "The libraries' cohorts",
    "Biblioteket": "The library", "Certificerede": "Certified",
    "Certificerede biblioteker berøres": "Certified libraries affected",
    "Danske folkebiblioteker arbejder med FN's verdensmål sammen med borgerne. Her logger biblioteket sine aktiviteter, følger sin fremdrift og bliver certificeret.":
        "Danish public libraries work with the UN Sustainable Development Goals together with citizens. Here a library logs its activities, follows its progress and gets certified.",
    "Deaktiver": "Deactivate", "Genaktiver": "Reactivate", "Deaktiver kollega": "Deactivate a colleague",
    "Vil du deaktivere": "Do you want to deactivate", "Ja, deaktiver": "Yes, deactivate",
    "kan derefter ikke længere logge ind og får ikke længere e-mails fra programmet.":
        "will then no longer be able to sign in and will no longer get emails from the programme.",
    "Aktiviteter og handleplan, som personen har lavet, bliver hos biblioteket. En koordinator eller administrator "
    "kan genaktivere personen senere.":
        "Evidence and action plan work by this person stay with the library. A coordinator or administrator can "
        "reactivate the person later.",
    "Personen er genaktiveret og kan logge ind igen med sin gamle adgangskode.":
        "The person is reactivated and can sign in again with their old password.", "Del med andre biblioteker": "Share with other libraries",
    "Delt med de andre biblioteker": "Shared with the other libraries",
    "Der er ingen krav for at være med. Udfyld bibliotekets oplysninger og dine egne som koordinator.":
        "There are no requirements to join. Fill in the library's details and your own as coordinator.",
    "Dit svar": "Your answer",
    "Du har ikke adgang til denne side.": "You do not have access to this page.",
    "Du kan afmelde e-mails, der ikke er nødvendige. Vigtige beskeder om dit bibliotek får du stadig.":
        "You can unsubscribe from emails that are not necessary. You will still get important messages about your library.",
    "E-mails": "Emails", "Eksportér mine data": "Export my data",
    "Er biblioteket allerede i en kohorte, bliver det flyttet.": "If the library is already in a cohort, it is moved.",
    "Erfaringer, som andre biblioteker har delt. Kopiér dem som en kladde eller som et mål i jeres handleplan.":
        "Cases other libraries have shared. Copy them as a draft or as a goal in your action plan.",
    "Et bibliotek skal altid have mindst én aktiv koordinator.": "A library must always have at least one active coordinator.",
    "Felt": "Field", "Forhåndsvis virkning": "Preview the impact",
    "Formularen var udløbet. Gå tilbage og prøv igen.": "The form had expired. Go back and try again.",
    "Forsendelser": "Deliveries", "Fra måned": "From month", "Fremdrift efter": "Progress after",
    "Fremdriften er ikke beregnet endnu.": "Progress is not calculated yet.",
    "Første år i perioden": "First year of the period", "Gem afgørelse": "Save decision",
    "Gem afgørelse om handleplanen": "Save the decision on the action plan", "Gem e-mailvalg": "Save email choice",
    "Gem mål": "Save targets", "Gem og indsend til godkendelse": "Save and submit for approval", "Gem sprog": "Save language",
    "Glemt adgangskode?": "Forgot your password?", "Handling": "Action", "Handlinger": "Actions",
    "Hent alt, hvad vi har registreret om dig, som en JSON-fil.": "Download everything we hold about you as a JSON file.",
    "Historik": "History", "Hovedmenu": "Main menu",
    "Ingen biblioteker matcher filtrene.": "No libraries match the filters.",
    "Ingen delte cases matcher søgningen.": "No shared cases match the search.", "Ingen forsendelser.": "No deliveries.",
    "Ingen ændringer.": "No changes.", "Kohorte": "Cohort", "Kopiér denne kode til jeres hjemmeside": "Copy this code to your website",
    "Kopiér som kladde": "Copy as draft",
    "Kravene i certificeringsmodellen. Ret en kladde, se hvilke biblioteker det påvirker, og udgiv den.":
        "The requirements of the certification model. Edit a draft, see which libraries it affects, and publish it.",
    "Min profil": "My profile", "Mine data": "My data", "Modelversion": "Model version", "Modtager": "Recipient",
    "Mål for": "Target for", "Mål for de tre år": "Goals for the three years", "Måned": "Month", "Mærke": "Badge",
    "Ny kladde fra den gældende": "New draft from the current one", "Ny kohorte": "New cohort",
    "Nyheder og påmindelser er slået fra.": "News and reminders are turned off.",
    "Nyheder og påmindelser er slået til.": "News and reminders are turned on.",
    "Nødvendige e-mails (invitationer, bekræftelser, nulstilling af adgangskode og afgørelser) får du altid.":
        "You always get the necessary emails (invitations, confirmations, password resets and decisions).",
    "Nøgletal": "Key figures", "Opret en kohorte, før du tilmelder biblioteker.": "Create a cohort before you enrol libraries.",
    "Periode": "Period", "Pr. kommune": "By municipality", "Pr. måned": "By month", "Rediger aktivitet": "Edit evidence",
    "Resten af portalen virker stadig.": "The rest of the portal still works.",
    "Ret aktiviteten (ny revision)": "Edit the evidence (new revision)",
    "Ret oplysninger samtidig (valgfrit)": "Correct details at the same time (optional)",
    "Retter du en afgjort aktivitet, bliver den en ny kladde, som skal indsendes og vurderes igen.":
        "If you edit decided evidence, it becomes a new draft that must be submitted and reviewed again.",
    "Revision": "Revision", "Rolle for": "Role for", "Se alle tal og diagrammet": "See all figures and the chart",
    "Send igen": "Send again", "Send invitation igen": "Resend invitation",
    "Send mig også nyheder, påmindelser og opsummeringer": "Also send me news, reminders and digests",
    "Send svar og indsend igen": "Send answer and resubmit", "Skabelon": "Template", "Skift rolle": "Change role",
    "Skriv en besked": "Write a message", "Skriv en besked uden at indsende": "Write a message without resubmitting",
    "Slutår (valgfrit)": "End year (optional)", "Sprog i invitationen": "Language of the invitation",
    "Sprog på siderne og i e-mails": "Language of the pages and emails", "Startår": "Start year",
    "Status efter": "Status after", "Status nu": "Status now", "Søg i delte cases": "Search shared cases",
    "Søjlediagram: antal biblioteker med godkendte aktiviteter for hvert af de 17 verdensmål. Tallene står også i tabellen under diagrammet.":
        "Bar chart: the number of libraries with approved evidence for each of the 17 goals. The numbers are also in the table below the chart.",
    "Tal (driftstiltag og personaleuddannelse)": "Figures (operations measures and staff training)",
    "Tallene bag diagrammet": "The numbers behind the chart", "Tidspunkt": "Time", "Til måned": "To month",
    "Tilbagekald invitation": "Revoke invitation", "Tildelt": "Awarded", "Tilmeld": "Enrol",
    "Tilmeld eller flyt et bibliotek": "Enrol or move a library", "Tilmelding": "Registration", "Tilmeldt": "Registered",
    "Tilstand": "State", "Tryk på knappen for at bekræfte din e-mailadresse.": "Press the button to confirm your email address.",
    "Træk aktiviteten tilbage": "Withdraw the evidence", "Træk tilbage": "Withdraw", "Uden titel": "Untitled",
    "Udgiv version": "Publish version", "Verdensmålscertificeret bibliotek": "SDG-certified library", "Version": "Version",
    "Vi kan ikke vise denne side lige nu, fordi en del af systemet ikke svarer.":
        "We cannot show this page right now because part of the system is not answering.",
    "Vi kender ikke et certifikat med dette nummer.": "We do not know a certificate with this number.",
    "Vi kunne ikke finde siden.": "We could not find the page.",
    "Virkning hvis versionen udgives": "Impact if the version is published", "Vælg fil": "Choose file",
    "Vælg kommune": "Choose municipality", "adskil med komma": "separate with commas", "biblioteker": "libraries",
    "certificerede": "certified", "deltagere": "participants", "for": "for", "fx": "e.g.",
    "godkendte aktiviteter": "approved activities", "i alt": "in total", "i gang": "in progress",
    "klar siden": "ready since", "mindst 10 tegn": "at least 10 characters", "partnere": "partners",
    "skifter status": "change status", "til": "to", "uændret": "unchanged", "Ændrede felter": "Changed fields",
    "Ændringer": "Changes", "Åbn for tilmelding": "Open for enrolment", "Luk": "Close",
    "Åben for tilmelding": "Open for enrolment", "Kohorten er åbnet for tilmelding.": "The cohort is open for enrolment.",
    "Kohorten er lukket.": "The cohort is closed.", "Ændringer i forhold til den gældende model": "Changes from the current model",
})


def lang() -> str:
    memo = _LANG.get()
    if memo is not None:
        return memo
    if not has_request_context():
        return "da"
    value = session.get("lang", "da")
    _LANG.set(value)
    return value


def forget(*_args) -> None:
    """Read the session's language again on the next lang() (after it may have changed)."""
    _LANG.set(None)


def gettext(text: str) -> str:
    return EN.get(text, text) if lang() == "en" else text
