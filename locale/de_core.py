"""German translations of the portal shell and core pages (applied by `python locale/apply.py`)."""

DE = {
    "Failed": "Fehlgeschlagen", "Pending": "Ausstehend", "Status": "Status", "Channel manager": "Channel-Manager",
    "Dashboard": "Übersicht", "Filter": "Filtern", "Action": "Aktion", "Error": "Fehler", "Save": "Speichern",
    "Role": "Rolle", "Active": "Aktiv", "Language": "Sprache", "Expires": "Läuft ab", "Next": "Weiter",
    "Try again": "Erneut versuchen", "When": "Wann", "Who": "Wer", "Details": "Details", "Name": "Name",
    "Profile": "Profil", "Your name": "Ihr Name", "Invite a colleague": "Kollegin oder Kollegen einladen",
    "Go": "Los", "Become a partner": "Partner werden", "Organisation": "Organisation", "People": "Personen",
    "Withdraw": "Zurückziehen", "Invitation sent to %(email)s.": "Einladung an %(email)s gesendet.",
    "Choose a password": "Passwort wählen", "Repeat the password": "Passwort wiederholen",
    "The two passwords differ.": "Die beiden Passwörter stimmen nicht überein.", "Email": "E-Mail",
    "Partner organisation": "Partnerorganisation", "Required for partner roles.": "Für Partnerrollen erforderlich.",
    "Choose the partner organisation for a partner role.": "Wählen Sie für eine Partnerrolle die Partnerorganisation.",
    "Unknown role.": "Unbekannte Rolle.", "Unknown partner organisation.": "Unbekannte Partnerorganisation.",
    "%(email)s is already a member of this portal.": "%(email)s ist bereits Mitglied dieses Portals.",
    "You are invited to the %(tenant)s partner portal": "Sie sind zum Partnerportal von %(tenant)s eingeladen",
    "Only pending invitations can be revoked.": "Nur ausstehende Einladungen können zurückgezogen werden.",
    "This invitation belongs to a different partner portal. Open the link exactly as it appears in your invitation email.":
        "Diese Einladung gehört zu einem anderen Partnerportal. Öffnen Sie den Link genau so, wie er in Ihrer Einladungs-E-Mail steht.",
    "This invitation link is not valid. Ask the person who invited you for a new one.":
        "Dieser Einladungslink ist ungültig. Bitten Sie die einladende Person um einen neuen.",
    "This invitation has already been used. Sign in instead, or ask for a new invitation.":
        "Diese Einladung wurde bereits verwendet. Melden Sie sich an oder bitten Sie um eine neue Einladung.",
    "This invitation was withdrawn. Ask the person who invited you for a new one.":
        "Diese Einladung wurde zurückgezogen. Bitten Sie die einladende Person um eine neue.",
    "This invitation has expired. Ask the person who invited you for a new one.":
        "Diese Einladung ist abgelaufen. Bitten Sie die einladende Person um eine neue.",
    "An account with this email already exists. Sign in first, then open the invitation link again.":
        "Zu dieser E-Mail-Adresse gibt es bereits ein Konto. Melden Sie sich zuerst an und öffnen Sie dann den Einladungslink erneut.",
    "This invitation was sent to a different email address. Sign out and open the link again.":
        "Diese Einladung ging an eine andere E-Mail-Adresse. Melden Sie sich ab und öffnen Sie den Link erneut.",
    "You cannot deactivate yourself.": "Sie können sich nicht selbst deaktivieren.",
    "Too many attempts. Wait a minute and try again.": "Zu viele Versuche. Warten Sie eine Minute und versuchen Sie es erneut.",
    "Welcome to %(tenant)s!": "Willkommen bei %(tenant)s!", "Invitation withdrawn.": "Einladung zurückgezogen.",
    "%(user)s can no longer sign in to this portal.": "%(user)s kann sich nicht mehr bei diesem Portal anmelden.",
    "Choose a valid role.": "Wählen Sie eine gültige Rolle.", "Role updated.": "Rolle aktualisiert.",
    "That link has expired. Please sign in.": "Dieser Link ist abgelaufen. Bitte melden Sie sich an.",
    "Notifications": "Benachrichtigungen", "English": "Englisch", "German": "Deutsch", "French": "Französisch",
    "Spanish": "Spanisch", "Back office": "Backoffice", "Home": "Start", "Audit log": "Audit-Protokoll",
    "Settings": "Einstellungen", "Admin": "Verwaltung",
    "%(tenant)s requires two-factor authentication for staff. Set it up to continue.":
        "%(tenant)s verlangt für Mitarbeitende die Zwei-Faktor-Authentifizierung. Richten Sie sie ein, um fortzufahren.",
    "Enter a three-letter ISO currency code, e.g. EUR.": "Geben Sie einen dreistelligen ISO-Währungscode ein, z. B. EUR.",
    "Partner user": "Partner-Benutzer", "Partner admin": "Partner-Administrator", "Executive": "Geschäftsleitung",
    "Tenant admin": "Programm-Administrator", "Bad request": "Ungültige Anfrage", "Access denied": "Zugriff verweigert",
    "Page not found": "Seite nicht gefunden", "Something went wrong": "Etwas ist schiefgelaufen",
    "Temporarily unavailable": "Vorübergehend nicht verfügbar", "Program settings saved.": "Programmeinstellungen gespeichert.",
    "The file is empty.": "Die Datei ist leer.",
    "The file is too large (%(size).1f MB); the limit is %(limit)d MB.": "Die Datei ist zu groß (%(size).1f MB); erlaubt sind %(limit)d MB.",
    "Executable files are not allowed.": "Ausführbare Dateien sind nicht erlaubt.",
    "HTML files are not allowed.": "HTML-Dateien sind nicht erlaubt.",
    "This type of file is not allowed here. Allowed: %(kinds)s.": "Dieser Dateityp ist hier nicht erlaubt. Erlaubt: %(kinds)s.",
    "SVG images with scripts or event handlers are not allowed.": "SVG-Bilder mit Skripten oder Event-Handlern sind nicht erlaubt.",
    "The image could not be read.": "Das Bild konnte nicht gelesen werden.",
    "Join the partner portal": "Dem Partnerportal beitreten", "Join the %(name)s partner portal": "Dem Partnerportal von %(name)s beitreten",
    "This invitation is for <strong>%(email)s</strong> as %(role)s.": "Diese Einladung gilt für <strong>%(email)s</strong> als %(role)s.",
    "Organisation: %(org)s.": "Organisation: %(org)s.", "Sign out and continue": "Abmelden und fortfahren",
    "Accept and join": "Annehmen und beitreten", "Sign in to accept": "Zum Annehmen anmelden", "Create my account": "Konto anlegen",
    "Invitation cannot be used": "Einladung nicht verwendbar", "This invitation cannot be used": "Diese Einladung kann nicht verwendet werden",
    "Sign in": "Anmelden", "Invite someone": "Jemanden einladen", "Send invitation": "Einladung senden",
    "Invitation sent.": "Einladung gesendet.", "Link (also emailed):": "Link (auch per E-Mail gesendet):",
    "Pending invitations": "Ausstehende Einladungen", "Withdraw this invitation?": "Diese Einladung zurückziehen?",
    "No pending invitations.": "Keine ausstehenden Einladungen.", "Members": "Mitglieder", "Actions": "Aktionen",
    "Deactivated": "Deaktiviert", "Deactivate this member?": "Dieses Mitglied deaktivieren?", "Deactivate": "Deaktivieren",
    "My team": "Mein Team", "%(org)s team": "Team von %(org)s", "Colleagues": "Kolleginnen und Kollegen",
    "Deactivate this colleague?": "Diese Person deaktivieren?", "Object": "Objekt", "No matching entries.": "Keine passenden Einträge.",
    "Partner portal": "Partnerportal", "Skip to content": "Zum Inhalt springen", "Main": "Hauptnavigation", "Menu": "Menü",
    "Links and buttons in %(colour)s would be hard to read (contrast %(ratio)s:1 with the page, at least %(minimum)s:1 is needed). Choose a darker colour.":
        "Links und Schaltflächen in %(colour)s wären schwer lesbar (Kontrast %(ratio)s:1 zur Seite, mindestens %(minimum)s:1 ist nötig). Wählen Sie eine dunklere Farbe.",
    "Partner portals": "Partnerportale", "Password": "Passwort", "Two-factor authentication": "Zwei-Faktor-Authentifizierung",
    "My portals": "Meine Portale", "Sign out": "Abmelden", "partner program": "Partnerprogramm", "Support": "Support",
    "Open-source partner relationship management": "Open-Source-Partnermanagement",
    "Your account is not a member of the %(name)s partner portal.": "Ihr Konto ist kein Mitglied des Partnerportals von %(name)s.",
    "If you expected access, ask your contact at the vendor for an invitation, or open one of your own portals.":
        "Wenn Sie Zugriff erwartet haben, bitten Sie Ihren Ansprechpartner beim Hersteller um eine Einladung, oder öffnen Sie eines Ihrer eigenen Portale.",
    "Sign in with another account": "Mit einem anderen Konto anmelden",
    "Your role does not give access to this page.": "Ihre Rolle gewährt keinen Zugriff auf diese Seite.",
    "We could not find that page. It may have moved, or the link may be wrong.":
        "Diese Seite wurde nicht gefunden. Sie wurde vielleicht verschoben, oder der Link ist falsch.",
    "The portal is briefly unavailable while we reconnect. Please try again in a moment.":
        "Das Portal ist kurz nicht erreichbar, während wir die Verbindung wiederherstellen. Bitte versuchen Sie es gleich noch einmal.",
    "Something went wrong on our side. Please try again; if it keeps happening, contact support.":
        "Bei uns ist etwas schiefgelaufen. Bitte versuchen Sie es erneut; wenn es wieder passiert, wenden Sie sich an den Support.",
    "Go to the start page": "Zur Startseite", "Open in the portal:": "Im Portal öffnen:", "Mark all as read": "Alle als gelesen markieren",
    "You are all caught up.": "Sie sind auf dem neuesten Stand.",
    "Decisions on your deals, claims and invitations will appear here.": "Entscheidungen zu Ihren Deals, Anträgen und Einladungen erscheinen hier.",
    "Pagination": "Seitennavigation", "Previous": "Zurück", "Page %(n)s of %(total)s": "Seite %(n)s von %(total)s",
    "Find your partner portal": "Finden Sie Ihr Partnerportal", "Sign in to see my portals": "Anmelden und meine Portale sehen",
    "Fair deal registration": "Faire Deal-Registrierung", "Incentives that add up": "Incentives, die aufgehen",
    "Content for your tier": "Inhalte für Ihre Stufe", "No unread notifications": "Keine ungelesenen Benachrichtigungen",
    "Open %(name)s": "%(name)s öffnen", "You are not a member of any partner portal yet.": "Sie sind noch in keinem Partnerportal Mitglied.",
    "Welcome, %(name)s": "Willkommen, %(name)s", "Your portal is ready.": "Ihr Portal ist bereit.",
    "Nothing to show yet.": "Noch nichts anzuzeigen.", "Program settings": "Programmeinstellungen",
    "Save settings": "Einstellungen speichern", "Welcome": "Willkommen", "%(name)s partner portal": "Partnerportal von %(name)s",
    "Sign in to register deals, find sales material and training, and track your incentives.":
        "Melden Sie sich an, um Deals zu registrieren, Vertriebsmaterial und Schulungen zu finden und Ihre Incentives zu verfolgen.",
    "Latest notifications": "Neueste Benachrichtigungen", "All notifications": "Alle Benachrichtigungen",
    "No notifications yet. Decisions on your requests will show up here.": "Noch keine Benachrichtigungen. Entscheidungen zu Ihren Anfragen erscheinen hier.",
    "staff members": "Mitarbeitende", "partner users": "Partner-Benutzer", "pending invitations": "ausstehende Einladungen",
    "Invite people": "Personen einladen",
    # Navigation entries registered by the feature apps
    "Content": "Inhalte", "Training": "Schulungen", "Deals": "Deals", "Incentives": "Incentives", "Review queue": "Prüfliste",
    "Partners": "Partner", "Applications": "Bewerbungen", "Analytics": "Analysen", "My partners": "Meine Partner",
    "Scorecard": "Scorecard", "Onboarding": "Onboarding",
}

DE.update({
    "You cannot give the role “%(role)s”: only a role up to your own.":
        "Sie können die Rolle „%(role)s“ nicht vergeben: nur Rollen bis zu Ihrer eigenen.",
    "Partner admins invite colleagues into their own organisation only.":
        "Partner-Administratoren laden nur Kolleginnen und Kollegen in die eigene Organisation ein.",
    "Your role does not let you change other people's access.":
        "Ihre Rolle erlaubt es nicht, den Zugang anderer zu ändern.",
    "Partner admins manage their own organisation's colleagues only.":
        "Partner-Administratoren verwalten nur Kolleginnen und Kollegen der eigenen Organisation.",
    "Only a tenant admin can change a tenant admin's access.":
        "Nur Programm-Administratoren können den Zugang eines Programm-Administrators ändern.",
    "A partner member cannot become staff, or the other way round. Deactivate this membership and invite the person again with the new role.":
        "Ein Partnermitglied kann nicht zu Mitarbeitenden werden und umgekehrt. Deaktivieren Sie diese "
        "Mitgliedschaft und laden Sie die Person mit der neuen Rolle erneut ein.",
    "%(user)s is the last active tenant admin. Make someone else tenant admin first.":
        "%(user)s ist der letzte aktive Programm-Administrator. Machen Sie zuerst eine andere Person zum "
        "Programm-Administrator.",
    "%(user)s can sign in to this portal again.": "%(user)s kann sich wieder bei diesem Portal anmelden.",
    "That link has expired or was opened in another browser. Please sign in.":
        "Dieser Link ist abgelaufen oder wurde in einem anderen Browser geöffnet. Bitte melden Sie sich an.",
    "That portal link was not made for this browser session. Open the portal from here.":
        "Dieser Portal-Link wurde nicht für diese Browsersitzung erstellt. Öffnen Sie das Portal von hier aus.",
    "SVG images with scripts, event handlers, external links or unknown elements are not allowed.":
        "SVG-Bilder mit Skripten, Event-Handlern, externen Links oder unbekannten Elementen sind nicht erlaubt.",
    "The SVG image could not be read as plain XML (no DTD or entities).":
        "Das SVG-Bild konnte nicht als einfaches XML gelesen werden (ohne DTD oder Entitäten).",
    "Reactivate": "Reaktivieren",
    "Role of %(name)s": "Rolle von %(name)s",
    "Portal and branding": "Portal und Markenauftritt",
    "You work with your own book of partners; this page covers the whole program. Ask a tenant admin.":
        "Sie arbeiten mit Ihrem eigenen Partnerportfolio; diese Seite betrifft das gesamte Programm. Wenden Sie sich an einen Programm-Administrator.",
})

DE.update({
    # Background jobs (prm.tenancy.jobs) as the apps register them
    "Partner health scores": "Health-Scores der Partner",
    "Scores every partner, estimates churn risk, evaluates tiers and suggests next steps; run now, it covers today so far.":
        "Bewertet jeden Partner, schätzt das Abwanderungsrisiko, prüft die Stufen und schlägt nächste Schritte vor; "
        "jetzt gestartet, deckt der Lauf den bisherigen heutigen Tag ab.",
    "nightly, 01:30": "nachts, 01:30", "nightly, 02:15": "nachts, 02:15", "nightly, 03:10": "nachts, 03:10",
    "daily, 06:30": "täglich, 06:30", "daily, 07:00": "täglich, 07:00", "hourly": "stündlich",
    "every 15 minutes": "alle 15 Minuten",
    "Certification expiry": "Ablauf von Zertifizierungen",
    "Marks expired certifications and reminds holders 30 days ahead.":
        "Markiert abgelaufene Zertifizierungen und erinnert die Inhaber 30 Tage vorher.",
    "Review deadlines": "Prüffristen",
    "Escalates registrations past the review deadline to the tenant admins, and approves unconflicted ones where the program says so.":
        "Eskaliert Registrierungen mit überschrittener Prüffrist an die Programm-Administratoren und gibt "
        "konfliktfreie frei, wo das Programm es vorsieht.",
    "Deal protection": "Deal-Schutz",
    "Ends protections that ran out and warns partners 14 days ahead.":
        "Beendet abgelaufene Schutzfristen und warnt Partner 14 Tage vorher.",
    "SPIF re-evaluation": "SPIF-Neubewertung",
    "Accrues SPIF for won deals that have none yet and reverses accruals of deals no longer won; a re-run changes nothing.":
        "Bucht SPIF für gewonnene Deals ohne Abgrenzung und storniert Abgrenzungen nicht mehr gewonnener Deals; "
        "ein erneuter Lauf ändert nichts.",
    "MDF claim deadlines": "MDF-Abrechnungsfristen",
    "Reminds partners of claims due within a week and expires missed deadlines, releasing the reserved funds.":
        "Erinnert Partner an Abrechnungen, die innerhalb einer Woche fällig sind, und lässt versäumte Fristen "
        "verfallen; die reservierten Mittel werden frei.",
    "Tier downgrades": "Herabstufungen",
    "Applies the tier downgrades whose grace period has ended.":
        "Wendet die Herabstufungen an, deren Karenzzeit abgelaufen ist.",
    "Background jobs": "Hintergrundaufgaben",
    "These jobs run on their own on the schedule shown. Start one now to apply a changed rule at once, or to see a night's work without waiting for the night.":
        "Diese Aufgaben laufen von selbst nach dem angegebenen Zeitplan. Starten Sie eine jetzt, um eine geänderte "
        "Regel sofort anzuwenden oder die Arbeit einer Nacht zu sehen, ohne auf die Nacht zu warten.",
    "Job": "Aufgabe", "Runs": "Läuft", "What it does": "Was sie tut", "Run all now": "Alle jetzt ausführen",
    "No background jobs.": "Keine Hintergrundaufgaben.",
    "Started: %(job)s. Its results appear within a minute.":
        "Gestartet: %(job)s. Die Ergebnisse erscheinen innerhalb einer Minute.",
    "Started all %(n)d jobs. Their results appear within a minute.":
        "Alle %(n)d Aufgaben gestartet. Die Ergebnisse erscheinen innerhalb einer Minute.",
    # Recorded changes
    "Change": "Änderung", "Changed": "Geändert", "Automatic": "Automatisch", "Invited": "Eingeladen",
    "Days": "Tage", "%(n)d entries": "%(n)d Einträge", "Raw record": "Originaleintrag", "system": "System",
    # Sign-in
    "Sign in to the %(name)s partner portal": "Im Partnerportal von %(name)s anmelden",
    "Forgot your password?": "Passwort vergessen?",
    "No account yet?": "Noch kein Konto?",
    "Access to this portal is by invitation: your organisation's partner admin or your channel manager invites you, and the email you receive opens your account.":
        "Der Zugang zu diesem Portal erfolgt per Einladung: Der Partner-Administrator Ihrer Organisation oder Ihr "
        "Channel-Manager lädt Sie ein, und die E-Mail, die Sie erhalten, eröffnet Ihr Konto.",
    "Not yet a partner of %(name)s? Apply to join the partner program; the channel team answers every application.":
        "Noch kein Partner von %(name)s? Bewerben Sie sich für das Partnerprogramm; das Channel-Team beantwortet "
        "jede Bewerbung.",
    "Apply to become a partner": "Als Partner bewerben",
    "Open the link from your invitation email, or your vendor's portal address.":
        "Öffnen Sie den Link aus Ihrer Einladungs-E-Mail oder die Portaladresse Ihres Herstellers.",
    "Remember me on this device": "Auf diesem Gerät angemeldet bleiben",
})

# Sign-in, password and two-factor pages in the portal's design ([9]).
DE.update({
    "%(name)s asks its staff to sign in with a second factor: set up an authenticator app to continue.":
        "%(name)s verlangt von seinen Mitarbeitenden einen zweiten Faktor bei der Anmeldung: Richten Sie eine Authenticator-App ein, um fortzufahren.",
    "With two-factor authentication, signing in needs your password and a code from your phone, so a stolen password alone does not open your account.":
        "Mit der Zwei-Faktor-Authentifizierung brauchen Sie zur Anmeldung Ihr Passwort und einen Code von Ihrem Telefon – ein gestohlenes Passwort allein öffnet Ihr Konto nicht.",
    "Install an authenticator app on your phone if you do not have one yet, for example Google Authenticator, Microsoft Authenticator or 1Password.":
        "Installieren Sie eine Authenticator-App auf Ihrem Telefon, falls noch nicht geschehen, zum Beispiel Google Authenticator, Microsoft Authenticator oder 1Password.",
    "Scan this QR code with the app.": "Scannen Sie diesen QR-Code mit der App.",
    "QR code for your authenticator app": "QR-Code für Ihre Authenticator-App",
    "Setting up on this phone? <a href=\"%(totp_url)s\">Open the authenticator app</a> instead of scanning.":
        "Richten Sie die App auf diesem Telefon ein? <a href=\"%(totp_url)s\">Öffnen Sie die Authenticator-App</a>, statt zu scannen.",
    "Cannot scan it? Type this secret into the app instead": "Scannen nicht möglich? Geben Sie stattdessen diesen Schlüssel in die App ein",
    "Enter the six-digit code the app now shows, to confirm it is set up.":
        "Geben Sie den sechsstelligen Code ein, den die App jetzt anzeigt, um die Einrichtung zu bestätigen.",
    "Your account is protected by two-factor authentication. Open your authenticator app and enter the six-digit code it shows.":
        "Ihr Konto ist durch Zwei-Faktor-Authentifizierung geschützt. Öffnen Sie Ihre Authenticator-App und geben Sie den angezeigten sechsstelligen Code ein.",
    "No access to your authenticator app?": "Kein Zugriff auf Ihre Authenticator-App?",
    "Enter one of your recovery codes in the same field instead. Each recovery code works once.":
        "Geben Sie stattdessen einen Ihrer Wiederherstellungscodes in dasselbe Feld ein. Jeder Wiederherstellungscode gilt nur einmal.",
    "Lost your recovery codes too? Write to <a href=\"mailto:%(email)s\">%(email)s</a>.":
        "Auch die Wiederherstellungscodes verloren? Schreiben Sie an <a href=\"mailto:%(email)s\">%(email)s</a>.",
    "If you lose your phone, a recovery code signs you in instead of the authenticator app. Each code works once. Keep them somewhere safe, for example in your password manager or printed out.":
        "Wenn Sie Ihr Telefon verlieren, meldet ein Wiederherstellungscode Sie anstelle der Authenticator-App an. Jeder Code gilt nur einmal. Bewahren Sie die Codes sicher auf, zum Beispiel in Ihrem Passwortmanager oder ausgedruckt.",
    "No email after a few minutes? Check your spam folder, or write to <a href=\"mailto:%(email)s\">%(email)s</a>.":
        "Nach einigen Minuten keine E-Mail? Sehen Sie im Spam-Ordner nach oder schreiben Sie an <a href=\"mailto:%(email)s\">%(email)s</a>.",
    "This link no longer works": "Dieser Link ist nicht mehr gültig",
})
