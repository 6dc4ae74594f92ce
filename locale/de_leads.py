"""German translations of leads: routing rules and explanations, the partner inbox, the staff lead
list, the rule editor and its dry run, the leads import and lead analytics (applied by `python locale/apply.py`)."""

DE = {
    # Customer identity (deals.conflicts, shared with lead dedupe)
    "the same name once case, accents, punctuation and legal form are ignored":
        "derselbe Name, wenn Groß-/Kleinschreibung, Akzente, Satzzeichen und Rechtsform außer Acht bleiben",
    "“%(short)s” are the initials of “%(long)s”": "„%(short)s“ sind die Initialen von „%(long)s“",
    "“%(a)s” and “%(b)s” are one word spelt two ways": "„%(a)s“ und „%(b)s“ sind ein Wort in zwei Schreibweisen",
    "“%(a)s” and “%(b)s” are one letter apart": "„%(a)s“ und „%(b)s“ unterscheiden sich in einem Buchstaben",
    "“%(a)s” and “%(b)s” are the same words run together": "„%(a)s“ und „%(b)s“ sind dieselben Wörter zusammengeschrieben",
    "both names contain “%(word)s”": "beide Namen enthalten „%(word)s“",
    "every word of the shorter name appears in the other": "jedes Wort des kürzeren Namens kommt im anderen vor",
    "words that describe rather than name a company count little: %(words)s":
        "Wörter, die ein Unternehmen beschreiben statt benennen, zählen wenig: %(words)s",
    "Vendor-sourced lead": "Lead vom Hersteller", "Partner-sourced": "Vom Partner gewonnen",
    "origin": "Herkunft", "Origin": "Herkunft",
    "%%s suggestions: use the arrow keys to choose one.": "%%s Vorschläge: Mit den Pfeiltasten einen auswählen.",
    # Choices and models
    "Agriculture": "Landwirtschaft", "Energy and utilities": "Energie und Versorgung",
    "Financial services": "Finanzdienstleistungen", "Hospitality": "Gastgewerbe",
    "Transport and logistics": "Transport und Logistik", "Manufacturing": "Fertigung",
    "Media and entertainment": "Medien und Unterhaltung", "Non-profit": "Gemeinnützig", "Technology": "Technologie",
    "Automotive": "Automobil", "Education": "Bildung", "Government": "Öffentliche Verwaltung",
    "Healthcare": "Gesundheitswesen", "Professional services": "Beratung und Dienstleistungen", "Retail": "Handel",
    "Telecommunications": "Telekommunikation",
    "1–49 employees": "1–49 Beschäftigte", "50–249 employees": "50–249 Beschäftigte",
    "250–999 employees": "250–999 Beschäftigte", "1,000–4,999 employees": "1.000–4.999 Beschäftigte",
    "5,000 employees or more": "5.000 Beschäftigte oder mehr",
    "Unassigned": "Nicht zugewiesen", "Working": "In Bearbeitung", "Awaiting acceptance": "Wartet auf Annahme",
    "Accepted": "Angenommen", "Converted to a deal": "In einen Deal umgewandelt",
    "Inbound call or email": "Eingehender Anruf oder E-Mail", "API": "API", "Website form": "Website-Formular",
    "Campaign": "Kampagne", "Community": "Community", "Open": "Offen",
    "industry": "Branche", "Industry": "Branche", "company size": "Unternehmensgröße", "Company size": "Unternehmensgröße",
    "product interest": "Produktinteresse", "Product interest": "Produktinteresse",
    "contact phone": "Telefon des Kontakts", "Contact phone": "Telefon des Kontakts",
    "source reference": "Quellreferenz", "estimated value": "geschätzter Wert", "Estimated value": "Geschätzter Wert",
    "lead owner": "Lead-Verantwortlicher", "created by": "erstellt von", "assigned to": "zugewiesen an",
    "accept by": "annehmen bis", "Accept by": "Annehmen bis", "escalated to the owner": "an den Verantwortlichen eskaliert",
    "converted": "umgewandelt", "deal outcome": "Deal-Ergebnis", "won": "gewonnen", "lead": "Lead", "leads": "Leads",
    "Source": "Quelle", "staff": "Mitarbeitende",
    "The channel manager who hears when nobody takes the lead.":
        "Der Channel-Manager, der benachrichtigt wird, wenn niemand den Lead übernimmt.",
    "Reassigned by staff": "Von Mitarbeitenden neu zugewiesen", "Assigned by staff": "Von Mitarbeitenden zugewiesen",
    "Round robin": "Reihum", "Performance-weighted": "Nach Leistung gewichtet", "None": "Keine",
    "Nobody eligible": "Niemand berechtigt", "Named partner": "Benannter Partner", "A named partner": "Ein benannter Partner",
    "Round robin among the eligible": "Reihum unter den Berechtigten",
    "Performance-weighted (win rate, capacity, fairness floor)":
        "Nach Leistung gewichtet (Gewinnquote, Kapazität, Fairness-Untergrenze)",
    "strategy": "Strategie", "assigned by": "zugewiesen von", "outcome": "Ergebnis",
    "reason for declining": "Grund der Ablehnung", "lead assignment": "Lead-Zuweisung", "lead assignments": "Lead-Zuweisungen",
    "countries": "Länder", "regions": "Regionen", "industries": "Branchen", "company sizes": "Unternehmensgrößen",
    "named partner": "benannter Partner", "routing rule": "Verteilungsregel", "routing rules": "Verteilungsregeln",
    "Rules are tried lowest first.": "Regeln werden mit der niedrigsten Zahl zuerst geprüft.",
    "ISO codes, e.g. DE, AT.": "ISO-Codes, z. B. DE, AT.",
    "partner must serve the lead's territory": "Partner muss das Gebiet des Leads betreuen",
    "The partner is based in the lead's country or serves its region.":
        "Der Partner sitzt im Land des Leads oder betreut dessen Region.",
    "Only the named-partner strategy sends leads to one partner.":
        "Nur die Strategie „Benannter Partner“ schickt Leads an einen einzelnen Partner.",
    "Unknown country code(s): %(codes)s.": "Unbekannte Ländercodes: %(codes)s.",
    "Choose from the list.": "Wählen Sie aus der Liste.",
    "Choose the partner that receives these leads.": "Wählen Sie den Partner, der diese Leads erhält.",
    "open leads at once": "gleichzeitig offene Leads",
    "Leads awaiting acceptance or being worked; 0 pauses new leads.":
        "Leads, die auf Annahme warten oder bearbeitet werden; 0 pausiert neue Leads.",
    "partner lead capacity": "Lead-Kapazität des Partners", "partner lead capacities": "Lead-Kapazitäten der Partner",
    "%(n)d open leads at once": "%(n)d gleichzeitig offene Leads",
    "lead share": "Lead-Anteil", "lead shares": "Lead-Anteile", "lead settings": "Lead-Einstellungen",
    "lead accept window (hours)": "Annahmefrist für Leads (Stunden)",
    "How long a partner has to accept or decline a lead before it moves on.":
        "Wie lange ein Partner einen Lead annehmen oder ablehnen kann, bevor er weitergegeben wird.",
    "count the accept window on business days only": "Annahmefrist nur an Werktagen zählen",
    "Weekends do not count, as for the deal review deadline.": "Wochenenden zählen nicht, wie bei der Prüffrist für Deals.",
    "fairness floor (share of an equal split)": "Fairness-Untergrenze (Anteil einer gleichen Aufteilung)",
    "0.50: every eligible partner with capacity receives at least half of an equal share over the rolling window, "
    "however its win rate compares.":
        "0,50: Jeder berechtigte Partner mit Kapazität erhält im gleitenden Zeitraum mindestens die Hälfte eines "
        "gleichen Anteils, unabhängig von seiner Gewinnquote.",
    "fairness window (days)": "Fairness-Zeitraum (Tage)",
    "win-rate prior strength (leads)": "Gewicht der Vorannahme zur Gewinnquote (Leads)",
    "A partner's win rate starts at the program's rate as if measured on this many leads, so a new partner is not "
    "starved and one lucky win does not flood a partner.":
        "Die Gewinnquote eines Partners beginnt bei der Quote des Programms, als wäre sie an so vielen Leads gemessen – "
        "so geht ein neuer Partner nicht leer aus und ein Glückstreffer überschwemmt keinen Partner.",
    "default lead capacity": "Standard-Lead-Kapazität",
    "Open leads at once for partners that have not declared their capacity.":
        "Gleichzeitig offene Leads für Partner, die keine Kapazität angegeben haben.",
    "Lead accept windows": "Annahmefristen für Leads", "every 5 minutes": "alle 5 Minuten",
    "Reminds partners four hours before a lead's accept deadline, and moves leads whose deadline passed to the next "
    "partner (or back to their owner).":
        "Erinnert Partner vier Stunden vor Ablauf der Annahmefrist und gibt Leads nach Fristablauf an den nächsten "
        "Partner weiter (oder zurück an ihren Verantwortlichen).",
    # Routing explanations
    "rule “%(rule)s” needs the lead's country or region, and the lead has neither":
        "Regel „%(rule)s“ braucht Land oder Region des Leads, und der Lead hat keins von beiden",
    "no active partner meets rule “%(rule)s” in the lead's territory":
        "kein aktiver Partner erfüllt Regel „%(rule)s“ im Gebiet des Leads",
    "the partner named by rule “%(rule)s” is not active": "der in Regel „%(rule)s“ benannte Partner ist nicht aktiv",
    "Rule “%(rule)s” sends these leads to %(partner)s.": "Regel „%(rule)s“ schickt diese Leads an %(partner)s.",
    "Rule “%(rule)s” takes turns: %(partner)s had not been offered a lead yet.":
        "Regel „%(rule)s“ verteilt reihum: %(partner)s war noch kein Lead angeboten worden.",
    "Rule “%(rule)s” takes turns: %(partner)s had waited longest since its last lead (%(available)d partners with "
    "capacity).":
        "Regel „%(rule)s“ verteilt reihum: %(partner)s wartete am längsten seit seinem letzten Lead (%(available)d "
        "Partner mit Kapazität).",
    "Fairness floor: %(partner)s had received %(received)d leads of the %(due).1f it was due over the window, below "
    "the floor of %(floor_percent)s of an equal share, so it comes first (rule “%(rule)s”).":
        "Fairness-Untergrenze: %(partner)s hatte im Zeitraum %(received)d der ihm zustehenden %(due).1f Leads erhalten, "
        "unter der Untergrenze von %(floor_percent)s eines gleichen Anteils, und kommt deshalb zuerst (Regel „%(rule)s“).",
    "Performance-weighted (rule “%(rule)s”): %(partner)s has the best win rate per lead already received: weight "
    "%(weight_percent)s (%(won)d won of %(trials)d offers, with the program's rate as the prior) for %(received)d "
    "leads received; %(available)d partners with capacity.":
        "Nach Leistung gewichtet (Regel „%(rule)s“): %(partner)s hat die beste Gewinnquote je bereits erhaltenem Lead: "
        "Gewicht %(weight_percent)s (%(won)d gewonnen von %(trials)d Angeboten, mit der Quote des Programms als "
        "Vorannahme) bei %(received)d erhaltenen Leads; %(available)d Partner mit Kapazität.",
    "Assigned by %(by)s.": "Zugewiesen von %(by)s.",
    "Unassigned: the program has no active routing rule.": "Nicht zugewiesen: Das Programm hat keine aktive Verteilungsregel.",
    "Unassigned: no routing rule matches this lead (country %(country)s, region %(region)s, industry %(industry)s).":
        "Nicht zugewiesen: Keine Verteilungsregel passt zu diesem Lead (Land %(country)s, Region %(region)s, "
        "Branche %(industry)s).",
    "Held for the lead owner: %(matches)s, so it was not offered to partners.":
        "Für den Lead-Verantwortlichen zurückgehalten: %(matches)s, daher wurde er keinem Partner angeboten.",
    "Unassigned: %(why)s.": "Nicht zugewiesen: %(why)s.", "no partner could take it": "kein Partner konnte ihn übernehmen",
    "the customer is the house account %(name)s": "der Kunde ist der Hausaccount %(name)s",
    "%(partner)s has a registration for %(name)s (%(status)s)": "%(partner)s hat eine Registrierung für %(name)s (%(status)s)",
    # Services
    "%(company)s already has an active deal registration or is a house account, so this lead cannot become a "
    "protected deal. Your channel manager can see the conflict and decide.":
        "%(company)s hat bereits eine aktive Deal-Registrierung oder ist ein Hausaccount, daher kann dieser Lead kein "
        "geschützter Deal werden. Ihr Channel-Manager sieht den Konflikt und entscheidet.",
    "Vendor-sourced lead: approved and protected on conversion.":
        "Lead vom Hersteller: bei der Umwandlung genehmigt und geschützt.",
    "Enter a valid email address for the contact.": "Geben Sie eine gültige E-Mail-Adresse für den Kontakt ein.",
    "An open lead for this company already exists: %(company)s (%(status)s).":
        "Für dieses Unternehmen gibt es bereits einen offenen Lead: %(company)s (%(status)s).",
    "Accept or decline by %(deadline)s, or the lead goes to another partner.":
        "Nehmen Sie bis %(deadline)s an oder lehnen Sie ab, sonst geht der Lead an einen anderen Partner.",
    "The time to accept this lead ended at %(deadline)s; it is being offered to another partner.":
        "Die Annahmefrist für diesen Lead endete am %(deadline)s; er wird einem anderen Partner angeboten.",
    "Say why you decline the lead; it helps route the next ones better.":
        "Sagen Sie, warum Sie den Lead ablehnen; das hilft, die nächsten besser zu verteilen.",
    "Lead assigned to you: %(company)s": "Ihnen zugewiesener Lead: %(company)s",
    "Convert the lead to a deal registration to mark it converted.":
        "Wandeln Sie den Lead in eine Deal-Registrierung um, um ihn als umgewandelt zu markieren.",
    "Choose working or lost.": "Wählen Sie „In Bearbeitung“ oder „Verloren“.",
    "A lead that is %(status)s cannot be marked %(new)s.": "Ein Lead mit Status %(status)s kann nicht als %(new)s markiert werden.",
    "%(partner)s accepted this lead at %(when)s. Confirm that you take it back from them to reassign it.":
        "%(partner)s hat diesen Lead am %(when)s angenommen. Bestätigen Sie, dass Sie ihn zurücknehmen, um ihn neu "
        "zuzuweisen.",
    "%(partner)s declined this lead on %(when)s (“%(reason)s”); it is not offered to them again.":
        "%(partner)s hat diesen Lead am %(when)s abgelehnt („%(reason)s“); er wird ihm nicht erneut angeboten.",
    "This lead has no open offer; reload the page.": "Für diesen Lead gibt es kein offenes Angebot; laden Sie die Seite neu.",
    "Only members of the partner organisation can do this.": "Das können nur Mitglieder der Partnerorganisation.",
    "This lead was already converted to a deal registration.": "Dieser Lead wurde bereits in eine Deal-Registrierung umgewandelt.",
    "Only a lead your organisation has accepted can be converted.":
        "Nur ein Lead, den Ihre Organisation angenommen hat, kann umgewandelt werden.",
    "Choose a product from the catalogue.": "Wählen Sie ein Produkt aus dem Katalog.",
    "Enter the estimated value as a number, e.g. 25000.": "Geben Sie den geschätzten Wert als Zahl ein, z. B. 25000.",
    "The estimated value cannot be negative.": "Der geschätzte Wert kann nicht negativ sein.",
    "That value (over 1,000,000,000) looks like a typo.": "Dieser Wert (über 1.000.000.000) sieht nach einem Tippfehler aus.",
    "Enter the prospect's company name.": "Geben Sie den Firmennamen des Interessenten ein.",
    "Keep the company name under 200 characters.": "Der Firmenname darf höchstens 200 Zeichen lang sein.",
    "Enter the company's website, e.g. acme.com.": "Geben Sie die Website des Unternehmens ein, z. B. acme.com.",
    "%(domain)s is an email provider, not the company's website.":
        "%(domain)s ist ein E-Mail-Anbieter, nicht die Website des Unternehmens.",
    "“%(code)s” is not a country code (use ISO codes such as DE or US).":
        "„%(code)s“ ist kein Ländercode (verwenden Sie ISO-Codes wie DE oder US).",
    "Choose a region: %(codes)s.": "Wählen Sie eine Region: %(codes)s.",
    "Choose an industry from the list.": "Wählen Sie eine Branche aus der Liste.",
    "Choose a company size from the list.": "Wählen Sie eine Unternehmensgröße aus der Liste.",
    "Choose where the lead came from.": "Wählen Sie, woher der Lead stammt.",
    "Keep this under %(n)d characters.": "Höchstens %(n)d Zeichen.",
    "Your organisation already accepted this lead.": "Ihre Organisation hat diesen Lead bereits angenommen.",
    "This lead is no longer offered to your organisation.": "Dieser Lead wird Ihrer Organisation nicht mehr angeboten.",
    "Only your organisation's partner admins assign leads.": "Nur die Partner-Admins Ihrer Organisation weisen Leads zu.",
    "Choose a colleague from your organisation.": "Wählen Sie eine Kollegin oder einen Kollegen aus Ihrer Organisation.",
    "This lead is no longer your organisation's.": "Dieser Lead gehört nicht mehr Ihrer Organisation.",
    "Say why the lead was lost; it helps the whole program.": "Sagen Sie, warum der Lead verloren ging; das hilft dem ganzen Programm.",
    "This lead is %(status)s; it can no longer be reassigned.": "Dieser Lead ist %(status)s; er kann nicht mehr neu zugewiesen werden.",
    "%(partner)s is not active in the program.": "%(partner)s ist im Programm nicht aktiv.",
    "Enter a whole number of leads.": "Geben Sie eine ganze Zahl von Leads ein.",
    "Enter between 0 and %(n)d leads.": "Geben Sie zwischen 0 und %(n)d Leads ein.",
    "The name “%(value)s” starts with %(char)s like a spreadsheet formula.":
        "Der Name „%(value)s“ beginnt wie eine Tabellenformel mit %(char)s.",
    # Admin bulk actions and the settings page
    "Which leads": "Welche Leads", "Which partners": "Welche Partner", "How": "Wie", "why": "Begründung",
    "Route the selected unassigned leads now": "Die ausgewählten nicht zugewiesenen Leads jetzt verteilen",
    "%(assigned)d lead(s) offered to partners, %(unassigned)d still unassigned (see each lead's explanation).":
        "%(assigned)d Lead(s) Partnern angeboten, %(unassigned)d weiterhin nicht zugewiesen (siehe die Erklärung je Lead).",
    "Offer the selected leads to the next partner": "Die ausgewählten Leads dem nächsten Partner anbieten",
    "%(n)d lead(s) moved on.": "%(n)d Lead(s) weitergegeben.",
    "New lead to accept: %(company)s": "Neuer Lead zur Annahme: %(company)s",
    "Lead needs you: %(company)s": "Lead braucht Sie: %(company)s",
    "Lead expires soon: %(company)s": "Lead läuft bald ab: %(company)s",
}

DE_PLURAL = {
    "the %(n)d partner eligible under rule “%(rule)s” was already offered this lead": (
        "dem %(n)d nach Regel „%(rule)s“ berechtigten Partner wurde dieser Lead bereits angeboten",
        "allen %(n)d nach Regel „%(rule)s“ berechtigten Partnern wurde dieser Lead bereits angeboten"),
    "the %(n)d partner eligible under rule “%(rule)s” is at its lead capacity": (
        "der %(n)d nach Regel „%(rule)s“ berechtigte Partner hat seine Lead-Kapazität erreicht",
        "alle %(n)d nach Regel „%(rule)s“ berechtigten Partner haben ihre Lead-Kapazität erreicht"),
    "%(n)d new lead to accept": ("%(n)d neuer Lead zur Annahme", "%(n)d neue Leads zur Annahme"),
    "%(n)d lead needs you: nobody could take it": ("%(n)d Lead braucht Sie: niemand konnte ihn übernehmen",
                                                    "%(n)d Leads brauchen Sie: niemand konnte sie übernehmen"),
    "%(n)d lead expires soon": ("%(n)d Lead läuft bald ab", "%(n)d Leads laufen bald ab"),
}

# The leads import
DE.update({
    "Partner and rule": "Partner und Regel",
    "already imported": "bereits importiert",
    "route after import": "nach dem Import verteilen",
    "Offer the new leads to partners by the routing rules as soon as they are imported.": "Die neuen Leads gleich nach dem Import nach den Verteilungsregeln Partnern anbieten.",
    "The channel manager who hears when nobody takes a lead. Empty: whoever uploads the file.": "Der Channel-Manager, der benachrichtigt wird, wenn niemand einen Lead übernimmt. Leer: wer die Datei hochlädt.",
    "offered to partners": "Partnern angeboten",
    "left unassigned": "nicht zugewiesen",
    "lead import": "Lead-Import",
    "lead imports": "Lead-Importe",
    "The contact title “%(value)s” starts with %(char)s like a spreadsheet formula.": "Die Position des Kontakts „%(value)s“ beginnt wie eine Tabellenformel mit %(char)s.",
    "Source reference": "Quellreferenz",
    "Missing company.": "Firma fehlt.",
    "Missing country or website: give at least one (routing needs the country).": "Land oder Website fehlt: Geben Sie mindestens eines an (die Verteilung braucht das Land).",
    "Unknown country “%(value)s” (use a two-letter code such as DE, or the English name).": "Unbekanntes Land „%(value)s“ (verwenden Sie einen Zwei-Buchstaben-Code wie DE oder den englischen Namen).",
    "Unknown product “%(value)s” (use a product code or name of the catalogue).": "Unbekanntes Produkt „%(value)s“ (verwenden Sie einen Produktcode oder -namen aus dem Katalog).",
    "The source reference “%(ref)s” is repeated (already on row %(row)s).": "Die Quellreferenz „%(ref)s“ kommt doppelt vor (schon in Zeile %(row)s).",
    "Same company as row %(row)s (%(company)s).": "Dieselbe Firma wie in Zeile %(row)s (%(company)s).",
    "%(column)s: %(message)s": "%(column)s: %(message)s",
    "Route the new leads to partners by the rules": "Die neuen Leads nach den Regeln an Partner verteilen",
    "Off: the leads stay unassigned until you route them.": "Aus: Die Leads bleiben unzugewiesen, bis Sie sie verteilen.",
    "Lead owner": "Lead-Verantwortlicher",
    "Me": "Ich",
    "The channel manager who hears when nobody takes a lead.": "Der Channel-Manager, der benachrichtigt wird, wenn niemand einen Lead übernimmt.",
    "Import leads": "Leads importieren",
    "Import leads from CSV": "Leads aus CSV importieren",
    "Columns: %(cols)s. Required: %(req)s, and a country or a website on every row. Products are given by code or name, countries as two-letter codes (DE) or English names.": "Spalten: %(cols)s. Pflicht: %(req)s sowie in jeder Zeile ein Land oder eine Website. Produkte werden per Code oder Name angegeben, Länder als Zwei-Buchstaben-Code (DE) oder englischer Name.",
    "Rows for a company that already has an open lead, or that repeat a company of the file, are refused as duplicates. A row whose source reference was imported before is left unchanged, so the same file can be uploaded again safely.": "Zeilen zu einer Firma, für die schon ein offener Lead existiert oder die in der Datei bereits vorkommt, werden als Duplikate abgelehnt. Eine Zeile, deren Quellreferenz schon importiert wurde, bleibt unverändert; dieselbe Datei kann also gefahrlos erneut hochgeladen werden.",
    "New leads are offered to partners by the routing rules.": "Neue Leads werden nach den Verteilungsregeln Partnern angeboten.",
    "New leads stay unassigned: routing is off for this import.": "Neue Leads bleiben unzugewiesen: Die Verteilung ist für diesen Import ausgeschaltet.",
    "Lead owner: %(owner)s.": "Lead-Verantwortlicher: %(owner)s.",
    "Open the lead list": "Zur Lead-Liste",
    "Routing: %(a)s offered to partners, %(u)s left unassigned (each lead says why; its owner was told).": "Verteilung: %(a)s Partnern angeboten, %(u)s nicht zugewiesen (jeder Lead nennt den Grund; sein Verantwortlicher wurde benachrichtigt).",
    "Company": "Firma", "Product": "Produkt",
})
DE_PLURAL.update({
    "%(c)s new lead, %(u)s already imported (same source reference; left unchanged).": (
        "%(c)s neuer Lead, %(u)s bereits importiert (gleiche Quellreferenz; unverändert).",
        "%(c)s neue Leads, %(u)s bereits importiert (gleiche Quellreferenz; unverändert)."),
})

# The staff lead list, lead form and reassignment
DE.update({
    "%(company)s is unassigned and waits for its owner: %(why)s": "%(company)s ist nicht zugewiesen und wartet auf den Lead-Verantwortlichen: %(why)s",
    "%(company)s was not changed: %(reason)s": "%(company)s wurde nicht geändert: %(reason)s",
    "A selected lead no longer exists or is not visible to you; reload the list.": "Ein ausgewählter Lead existiert nicht mehr oder ist für Sie nicht sichtbar; laden Sie die Liste neu.",
    "Action": "Aktion",
    "Also take back leads a partner has accepted": "Auch Leads zurücknehmen, die ein Partner angenommen hat",
    "Also take back accepted leads": "Auch angenommene Leads zurücknehmen",
    "Choose a channel manager or tenant admin of this program.": "Wählen Sie einen Channel-Manager oder Mandanten-Admin dieses Programms.",
    "Choose a partner (to offer to)": "Partner wählen (für das Angebot)",
    "Choose an active partner from the list.": "Wählen Sie einen aktiven Partner aus der Liste.",
    "Choose the partner to offer the leads to.": "Wählen Sie den Partner, dem die Leads angeboten werden.",
    "Choose the partner to offer the selected leads to.": "Wählen Sie den Partner, dem die ausgewählten Leads angeboten werden.",
    "Choose what to do with the selected leads.": "Wählen Sie, was mit den ausgewählten Leads geschehen soll.",
    "Create it anyway: this is a different opportunity": "Trotzdem anlegen: Es ist eine andere Verkaufschance",
    "Save anyway: this is a different opportunity": "Trotzdem speichern: Es ist eine andere Verkaufschance",
    "It changed meanwhile; reload the list.": "Er wurde inzwischen geändert; laden Sie die Liste neu.",
    "It is already with %(partner)s.": "Er liegt bereits bei %(partner)s.",
    "It is %(status)s; only unassigned leads are routed. Use “reassign” to move it.": "Er ist %(status)s; nur nicht zugewiesene Leads werden verteilt. Verschieben Sie ihn mit „Neu zuweisen“.",
    "Lead created and offered to %(partner)s.": "Lead angelegt und %(partner)s angeboten.",
    "Lead created. No partner could take it yet; it waits for its owner.": "Lead angelegt. Noch konnte ihn kein Partner übernehmen; er wartet auf den Lead-Verantwortlichen.",
    "Lead created. Route it when it is ready.": "Lead angelegt. Verteilen Sie ihn, sobald er bereit ist.",
    "Lead updated.": "Lead aktualisiert.",
    "Leave empty to derive it from the country.": "Leer lassen, um sie aus dem Land abzuleiten.",
    "No other partner could take the lead; it waits for its owner.": "Kein anderer Partner konnte den Lead übernehmen; er wartet auf den Lead-Verantwortlichen.",
    "No partner could take it.": "Kein Partner konnte ihn übernehmen.",
    "Nobody": "Niemand",
    "Nothing was changed.": "Es wurde nichts geändert.",
    "Offer to a partner": "Einem Partner anbieten",
    "Offer to": "Anbieten an",
    "Reason": "Begründung",
    "Reassign to the next candidate": "Dem nächsten Kandidaten zuweisen",
    "Route by the rules (unassigned leads)": "Nach den Regeln verteilen (nicht zugewiesene Leads)",
    "Route it now by the rules": "Jetzt nach den Regeln verteilen",
    "Say why the leads move; the reason is kept in each lead's history.": "Begründen Sie die Verschiebung; die Begründung wird im Verlauf jedes Leads gespeichert.",
    "Say why the lead moves; the reason is kept in its history.": "Begründen Sie die Verschiebung; die Begründung wird im Verlauf des Leads gespeichert.",
    "Select at least one lead.": "Wählen Sie mindestens einen Lead aus.",
    "Select at most %(n)d leads at a time.": "Wählen Sie höchstens %(n)d Leads auf einmal aus.",
    "Take it back from the partner who accepted it": "Vom Partner zurücknehmen, der ihn angenommen hat",
    "The lead is now offered to %(partner)s.": "Der Lead wird jetzt %(partner)s angeboten.",
    "The next candidate of the rules": "Der nächste Kandidat nach den Regeln",
    "This lead is %(status)s; it can no longer be edited.": "Dieser Lead ist %(status)s; er kann nicht mehr bearbeitet werden.",
    "e.g. acme.com. Used to recognise the company and find duplicates.": "z. B. acme.com. Dient zum Erkennen der Firma und zum Finden von Duplikaten.",
    "and %(n)d more": "und %(n)d weitere",
    "%(n)d lead moved: %(names)s.": "%(n)d Lead verschoben: %(names)s.",
    "%(n)d leads moved: %(names)s.": "%(n)d Leads verschoben: %(names)s.",
    "Overdue": "Überfällig",
    "Waiting for their owner": "Warten auf den Verantwortlichen",
    "waiting for its owner": "wartet auf den Verantwortlichen",
    "Created": "Angelegt",
    "A new lead is routed to a partner by the routing rules, unless you keep it for later. Its contact details stay hidden from partners until one accepts it.": "Ein neuer Lead wird nach den Verteilungsregeln einem Partner zugewiesen, sofern Sie ihn nicht zurückhalten. Seine Kontaktdaten bleiben für Partner verborgen, bis einer ihn annimmt.",
    "Add a lead": "Lead hinzufügen",
    "Add the lead": "Lead anlegen",
    "Back to the lead": "Zurück zum Lead",
    "Back to the leads": "Zurück zu den Leads",
    "Channel managers add leads here, import them from a CSV file or send them through the API.": "Channel-Manager legen Leads hier an, importieren sie aus einer CSV-Datei oder senden sie über die API.",
    "Clear the filters to see every lead.": "Filter zurücksetzen, um alle Leads zu sehen.",
    "Connect the API": "API anbinden",
    "Contact": "Kontakt",
    "Opportunity": "Verkaufschance",
    "Edit lead": "Lead bearbeiten",
    "Edit lead: %(company)s": "Lead bearbeiten: %(company)s",
    "Export CSV": "CSV exportieren",
    "Import a CSV": "CSV importieren",
    "Lead pages": "Lead-Seiten",
    "Leads by status": "Leads nach Status",
    "No leads match these filters.": "Keine Leads entsprechen diesen Filtern.",
    "No leads yet — add one, import a CSV, or connect the API": "Noch keine Leads – legen Sie einen an, importieren Sie eine CSV-Datei oder binden Sie die API an",
    "Only leads I own": "Nur meine Leads",
    "Owner": "Verantwortlich",
    "Partner (to offer to)": "Partner (für das Angebot)",
    "Partner to offer the leads to": "Partner, dem die Leads angeboten werden",
    "Reason (needed to offer or reassign)": "Begründung (zum Anbieten oder Neuzuweisen nötig)",
    "Reassign %(company)s": "%(company)s neu zuweisen",
    "Reassign lead": "Lead neu zuweisen",
    "Reassign": "Neu zuweisen",
    "Routing rules": "Verteilungsregeln",
    "Rule": "Regel",
    "Save changes": "Änderungen speichern",
    "Search": "Suche",
    "Select": "Auswählen",
    "The current offer ends and the lead moves with its history. A partner who declined it is never offered it again; the next candidate is chosen by the routing rules.": "Das aktuelle Angebot endet und der Lead wechselt mit seinem Verlauf. Ein Partner, der ihn abgelehnt hat, bekommt ihn nie wieder angeboten; den nächsten Kandidaten bestimmen die Verteilungsregeln.",
    "With the selected leads": "Mit den ausgewählten Leads",
    "You can still save it as a separate lead if it is a different opportunity.": "Sie können ihn trotzdem als eigenen Lead speichern, wenn es eine andere Verkaufschance ist.",
    "same website": "gleiche Website",
    "similar name": "ähnlicher Name",
    "company or domain": "Firma oder Domain",
    "%(n)s lead": "%(n)s Lead",
    "%(n)s leads": "%(n)s Leads",
    "An open lead looks like the same company:": "Ein offener Lead scheint dieselbe Firma zu sein:",
    "%(n)s open leads look like the same company:": "%(n)s offene Leads scheinen dieselbe Firma zu sein:",
})

# Rule editor, dry run and lead analytics
DE.update({
    '%(first)s or %(last)s': '%(first)s oder %(last)s',
    '%(h)s h': '%(h)s Std.',
    '%(partner)s is not an active partner (%(status)s), so routing would skip it.':
        '%(partner)s ist kein aktiver Partner (%(status)s); die Verteilung würde ihn überspringen.',
    '%(shown)s of %(total)s partners: those below the floor first, then the largest due share.':
        '%(shown)s von %(total)s Partnern: zuerst die unter der Untergrenze, dann die mit dem größten zustehenden Anteil.',
    '%(tier)s or higher': '%(tier)s oder höher',
    'A lead must meet every condition you set; a condition left empty accepts any value. Of the partners who meet the partner conditions, the strategy picks one with capacity.':
        'Ein Lead muss jede gesetzte Bedingung erfüllen; eine leere Bedingung akzeptiert jeden Wert. Unter den Partnern, die die Partnerbedingungen erfüllen, wählt die Strategie einen mit freier Kapazität.',
    'A rule for a named partner sends every matching lead to that partner; leave the partner conditions empty.':
        'Eine Regel für einen benannten Partner schickt jeden passenden Lead an diesen Partner; lassen Sie die Partnerbedingungen leer.',
    'A rule matched, but no partner could take it':
        'Eine Regel passte, aber kein Partner konnte ihn übernehmen',
    'Acceptance and win rate by partner': 'Annahme- und Gewinnquote nach Partner',
    'Acceptance rate': 'Annahmequote',
    'Accepted a lead': 'Einen Lead angenommen',
    'Accepted leads converted to a deal (%)': 'In einen Deal umgewandelte angenommene Leads (%)',
    'Accepted leads won (%)': 'Gewonnene angenommene Leads (%)',
    'Actions': 'Aktionen',
    'Active': 'Aktiv',
    'All leads': 'Alle Leads',
    'All routing rules': 'Alle Verteilungsregeln',
    'Another rule already has this name.': 'Eine andere Regel hat bereits diesen Namen.',
    'Any product': 'Beliebiges Produkt',
    'Any tier': 'Beliebige Stufe',
    'Any type': 'Beliebiger Typ',
    'Below the floor': 'Unter der Untergrenze',
    'Besides: %(declined)s declined, %(expired)s expired, %(reassigned)s taken back by staff. Rates of acceptance count the offers answered (accepted, declined or expired); conversion and win rates count the accepted ones.':
        'Außerdem: %(declined)s abgelehnt, %(expired)s abgelaufen, %(reassigned)s von Mitarbeitenden zurückgenommen. Annahmequoten zählen die beantworteten Angebote (angenommen, abgelehnt oder abgelaufen); Umwandlungs- und Gewinnquoten die angenommenen.',
    'By partner': 'Nach Partner',
    'By routing rule': 'Nach Verteilungsregel',
    'By rule': 'Nach Regel',
    'Cancel': 'Abbrechen',
    'Choose a partner…': 'Partner wählen …',
    'Choose other leads, or try again once leads have arrived.':
        'Wählen Sie andere Leads oder versuchen Sie es erneut, sobald Leads eingegangen sind.',
    'Choose up or down.': 'Wählen Sie nach oben oder nach unten.',
    'Company size %(list)s': 'Unternehmensgröße %(list)s',
    'Company sizes': 'Unternehmensgrößen',
    'Conditions': 'Bedingungen',
    'Conversion rate': 'Umwandlungsquote',
    'Converted': 'Umgewandelt',
    'Converted a lead to a deal': 'Einen Lead in einen Deal umgewandelt',
    'Country': 'Land',
    'Country is %(list)s': 'Land ist %(list)s',
    'Create a lead': 'Lead anlegen',
    'Create the first rule': 'Erste Regel anlegen',
    'Create the rule': 'Regel anlegen',
    'Currently with': 'Derzeit bei',
    'Declined': 'Abgelehnt',
    'Declined a lead': 'Einen Lead abgelehnt',
    'Delete': 'Löschen',
    'Delete rule “%(name)s”': 'Regel „%(name)s“ löschen',
    'Delete rule “%(name)s”?': 'Regel „%(name)s“ löschen?',
    'Delete the rule': 'Regel löschen',
    'Delete the rule “%(name)s”? Leads it would have routed go to the next matching rule.':
        'Die Regel „%(name)s“ löschen? Leads, die sie verteilt hätte, gehen an die nächste passende Regel.',
    'Dry run': 'Probelauf',
    'Due share': 'Zustehender Anteil',
    'Each new lead is tried against the active rules from the top: the first rule whose conditions match the lead and that finds a partner with capacity routes it. A lead no rule can place stays with its owner, who is told why.':
        'Jeder neue Lead wird von oben nach unten mit den aktiven Regeln abgeglichen: Die erste Regel, deren Bedingungen passen und die einen Partner mit freier Kapazität findet, verteilt ihn. Ein Lead, den keine Regel unterbringt, bleibt bei seinem Verantwortlichen, der den Grund erfährt.',
    'Each offer counts under the rule that made it, as named at the time.':
        'Jedes Angebot zählt unter der Regel, die es erzeugt hat, mit ihrem damaligen Namen.',
    'Edit': 'Bearbeiten',
    'Edit rule “%(name)s”': 'Regel „%(name)s“ bearbeiten',
    'Enter an order of at most %(max)d.': 'Geben Sie eine Reihenfolge von höchstens %(max)d ein.',
    'Every lead, any partner': 'Jeder Lead, jeder Partner',
    'Every partner meets the floor': 'Alle Partner erreichen die Untergrenze',
    'Expired': 'Abgelaufen',
    'Expired lead offers (90 days)': 'Abgelaufene Lead-Angebote (90 Tage)',
    'Fairness': 'Fairness',
    'Fairness floor': 'Fairness-Untergrenze',
    'Fairness: share received against share due': 'Fairness: erhaltener gegenüber zustehendem Anteil',
    'Floor': 'Untergrenze',
    'Held: the customer has an active registration':
        'Zurückgehalten: Für den Kunden besteht eine aktive Registrierung',
    'Import': 'Import',
    'Inactive': 'Inaktiv',
    'Inactive rules are kept but route nothing.': 'Inaktive Regeln bleiben erhalten, verteilen aber nichts.',
    'Industries': 'Branchen',
    'Industry is %(list)s': 'Branche ist %(list)s',
    'Lead analytics': 'Lead-Analyse',
    'Lead by lead, newest first': 'Lead für Lead, neueste zuerst',
    'Lead countries': 'Länder des Leads',
    'Lead funnel': 'Lead-Trichter',
    'Lead lost': 'Lead verloren',
    'Lead offers': 'Lead-Angebote',
    'Lead offers accepted within the window (%)': 'Innerhalb der Frist angenommene Lead-Angebote (%)',
    'Lead offers in the period': 'Lead-Angebote im Zeitraum',
    'Lead offers made to partners from %(since)s to %(until)s.':
        'Lead-Angebote an Partner vom %(since)s bis %(until)s.',
    'Lead reassigned': 'Lead neu zugewiesen',
    'Lead regions': 'Regionen des Leads',
    'Lead share received, due and the floor': 'Lead-Anteil: erhalten, zustehend und Untergrenze',
    'Leads': 'Leads',
    'Leads due': 'Zustehende Leads',
    'Leads it would have routed go to the next matching rule, or stay with their owner. Offers it already made are not changed and keep its name in their history.':
        'Leads, die sie verteilt hätte, gehen an die nächste passende Regel oder bleiben bei ihrem Verantwortlichen. Bereits gemachte Angebote bleiben unverändert und behalten ihren Namen im Verlauf.',
    'Leads received': 'Erhaltene Leads',
    'Leads the vendor offered to partners in the period: the acceptance rate counts the offers answered (accepted, declined or expired), conversion the accepted ones, and the revenue is that of the won deals those leads became.':
        'Leads, die der Hersteller im Zeitraum Partnern angeboten hat: Die Annahmequote zählt die beantworteten Angebote (angenommen, abgelehnt oder abgelaufen), die Umwandlung die angenommenen, und der Umsatz ist der der gewonnenen Deals, die aus diesen Leads wurden.',
    'Let %(expired)s of %(offers)s lead offers expire in 90 days':
        '%(expired)s von %(offers)s Lead-Angeboten in 90 Tagen verfallen lassen',
    'Let a lead expire': 'Einen Lead verfallen lassen',
    'Median hours to accept': 'Median Stunden bis zur Annahme',
    'Meets the floor': 'Erreicht die Untergrenze',
    'Minimum tier': 'Mindeststufe',
    'Move %(name)s down': '%(name)s nach unten verschieben',
    'Move %(name)s up': '%(name)s nach oben verschieben',
    'New routing rule': 'Neue Verteilungsregel',
    'New rule': 'Neue Regel',
    'No active rules': 'Keine aktiven Regeln',
    'No lead was offered to a partner in this period.':
        'In diesem Zeitraum wurde keinem Partner ein Lead angeboten.',
    'No lead was routed to a partner in the routing window.':
        'Im Verteilungszeitraum wurde kein Lead an einen Partner vergeben.',
    'No leads to try the rules on.': 'Keine Leads, an denen sich die Regeln testen lassen.',
    'No leads yet.': 'Noch keine Leads.',
    'No routing rules yet.': 'Noch keine Verteilungsregeln.',
    'No rule matched': 'Keine Regel passte',
    'Nobody: stays with the lead owner': 'Niemand: bleibt beim Lead-Verantwortlichen',
    'None chosen: any country. Hold Ctrl (Cmd on a Mac) to choose several.':
        'Keines gewählt: jedes Land. Halten Sie Strg (Cmd auf dem Mac), um mehrere zu wählen.',
    'None ticked: any industry.': 'Keine angekreuzt: jede Branche.',
    'None ticked: any region.': 'Keine angekreuzt: jede Region.',
    'None ticked: any size.': 'Keine angekreuzt: jede Größe.',
    'Offered': 'Angeboten',
    'Once leads are created and offered to partners, their acceptance, conversion and fairness figures appear here.':
        'Sobald Leads angelegt und Partnern angeboten werden, erscheinen hier ihre Annahme-, Umwandlungs- und Fairnesszahlen.',
    'Only active partners are considered. These conditions do not apply to a named partner.':
        'Nur aktive Partner werden berücksichtigt. Für einen benannten Partner gelten diese Bedingungen nicht.',
    'Only for “A named partner”: that partner gets every lead the rule matches, whatever the partner conditions above.':
        'Nur für „Ein benannter Partner“: Dieser Partner erhält jeden Lead, auf den die Regel passt, unabhängig von den Partnerbedingungen oben.',
    'Only partners with this specialty, e.g. security. Empty: any.':
        'Nur Partner mit diesem Schwerpunkt, z. B. security. Leer: beliebig.',
    'Order': 'Reihenfolge',
    'Partner': 'Partner',
    'Partner type': 'Partnertyp',
    'Partner type %(type)s': 'Partnertyp %(type)s',
    'Partners in any territory': 'Partner in jedem Gebiet',
    'Product %(product)s': 'Produkt %(product)s',
    'Rate (%)': 'Quote (%)',
    'Received share': 'Erhaltener Anteil',
    'Region is %(list)s': 'Region ist %(list)s',
    'Routing rules in the order they are tried': 'Verteilungsregeln in der Reihenfolge ihrer Prüfung',
    'Rule “%(name)s” created. New leads are routed by it from now on.':
        'Regel „%(name)s“ angelegt. Neue Leads werden ab jetzt danach verteilt.',
    'Rule “%(name)s” deleted. Offers it made keep its name in their history.':
        'Regel „%(name)s“ gelöscht. Ihre bisherigen Angebote behalten ihren Namen im Verlauf.',
    'Rule “%(name)s” moved down.': 'Regel „%(name)s“ nach unten verschoben.',
    'Rule “%(name)s” moved up.': 'Regel „%(name)s“ nach oben verschoben.',
    'Rule “%(name)s” saved.': 'Regel „%(name)s“ gespeichert.',
    'Rules are tried lowest first; the first that finds a partner wins.':
        'Regeln werden in aufsteigender Reihenfolge geprüft; die erste, die einen Partner findet, gewinnt.',
    "Rules decide which partner is offered each new lead: by the lead's country, region, industry, company size or product, to partners of a type, tier or specialty in the lead's territory — a named partner, in turns, or weighted by win rate. Without rules, leads stay with their owner to assign by hand.":
        'Regeln entscheiden, welchem Partner jeder neue Lead angeboten wird: nach Land, Region, Branche, Unternehmensgröße oder Produkt des Leads, an Partner eines Typs, einer Stufe oder eines Schwerpunkts im Gebiet des Leads – an einen benannten Partner, reihum oder gewichtet nach Gewinnquote. Ohne Regeln bleiben Leads bei ihrem Verantwortlichen und werden von Hand zugewiesen.',
    'Run the saved rules': 'Gespeicherte Regeln testen',
    'Save the rule': 'Regel speichern',
    'See who would get up to %(n)s recent leads with this rule in place of its saved version, compared with the saved rules. Nothing is offered or saved.':
        'Sehen Sie, wer bis zu %(n)s aktuelle Leads mit dieser Regel anstelle ihrer gespeicherten Fassung erhielte, verglichen mit den gespeicherten Regeln. Nichts wird angeboten oder gespeichert.',
    'Share': 'Anteil',
    'Share (%)': 'Anteil (%)',
    'Shown in every routing explanation, e.g. “Germany and Austria: Fabrikam”.':
        'Erscheint in jeder Verteilungsbegründung, z. B. „Deutschland und Österreich: Fabrikam“.',
    'Specialty %(specialty)s': 'Schwerpunkt %(specialty)s',
    'The %(shown)s partners with the most offers of %(total)s; the total covers all of them.':
        'Die %(shown)s Partner mit den meisten Angeboten von %(total)s; die Summe umfasst alle.',
    'The 50 most recent leads (not converted)': 'Die 50 neuesten Leads (nicht umgewandelt)',
    'The 50 most recent open leads': 'Die 50 neuesten offenen Leads',
    'The 50 most recent unassigned leads': 'Die 50 neuesten nicht zugewiesenen Leads',
    'The rule cannot be tried yet: correct the marked fields.':
        'Die Regel lässt sich noch nicht testen: Korrigieren Sie die markierten Felder.',
    'This rule is not active, so it routes nothing; the result shows the other rules.':
        'Diese Regel ist nicht aktiv und verteilt daher nichts; das Ergebnis zeigt die übrigen Regeln.',
    'This rule no longer exists; reload the page.': 'Diese Regel gibt es nicht mehr; laden Sie die Seite neu.',
    'Tier %(tier)s or higher': 'Stufe %(tier)s oder höher',
    'Try before saving': 'Vor dem Speichern testen',
    'Try it on': 'Testen mit',
    'Under the saved rules': 'Nach den gespeicherten Regeln',
    'Unknown object.': 'Unbekanntes Objekt.',
    'Vendor leads': 'Leads vom Hersteller',
    'Who gets the lead': 'Wer den Lead erhält',
    "Who would get recent leads under the saved rules, routed now with today's capacity and fairness figures? Nothing is offered or written.":
        'Wer bekäme aktuelle Leads nach den gespeicherten Regeln, jetzt verteilt mit den heutigen Kapazitäts- und Fairnesswerten? Nichts wird angeboten oder gespeichert.',
    'Why': 'Warum',
    'Win rate': 'Gewinnquote',
    'Within the window': 'Innerhalb der Frist',
    'Won': 'Gewonnen',
    'Won revenue from vendor leads (%s)': 'Gewonnener Umsatz aus Leads vom Hersteller (%s)',
    'Would go to': 'Ginge an',
    'accepted (of the offers answered)': 'angenommen (der beantworteten Angebote)',
    'accepted within the accept window': 'innerhalb der Annahmefrist angenommen',
    'changes': 'ändert sich',
    'lead offers': 'Lead-Angebote',
    'lead offers to partners': 'Lead-Angebote an Partner',
    'median time to accept': 'mittlere Zeit bis zur Annahme (Median)',
    'not active: %(status)s': 'nicht aktiv: %(status)s',
    'of accepted leads converted to a deal': 'der angenommenen Leads in einen Deal umgewandelt',
    'of accepted leads won': 'der angenommenen Leads gewonnen',
    'this rule': 'diese Regel',
})
DE_PLURAL.update({
    '%(expired)d of %(n)d lead offer in the last 90 days expired without an answer.': (
        '%(expired)d von %(n)d Lead-Angebot der letzten 90 Tage ist ohne Antwort abgelaufen.',
        '%(expired)d von %(n)d Lead-Angeboten der letzten 90 Tage sind ohne Antwort abgelaufen.'),
    '%(n)s lead routed as a trial; nothing was offered or saved.': (
        '%(n)s Lead probeweise verteilt; nichts wurde angeboten oder gespeichert.',
        '%(n)s Leads probeweise verteilt; nichts wurde angeboten oder gespeichert.'),
    '%(n)s lead would go to a different partner than the one it is with now.': (
        '%(n)s Lead ginge an einen anderen Partner als den, bei dem er jetzt ist.',
        '%(n)s Leads gingen an einen anderen Partner als den, bei dem sie jetzt sind.'),
    '%(n)s lead would go to a different partner than under the saved rules.': (
        '%(n)s Lead ginge an einen anderen Partner als nach den gespeicherten Regeln.',
        '%(n)s Leads gingen an einen anderen Partner als nach den gespeicherten Regeln.'),
    '%(n)s partner below the floor': (
        '%(n)s Partner unter der Untergrenze',
        '%(n)s Partner unter der Untergrenze'),
    'Leads routed, last %(days)s day': (
        'Verteilte Leads, letzter %(days)s Tag',
        'Verteilte Leads, letzte %(days)s Tage'),
    "Over the routing's rolling window of %(days)s day, whatever the period above. The fairness floor is %(floor)s %% of the share a partner was due; routing gives a partner below it the next lead it can take.": (
        'Über den gleitenden Verteilungszeitraum von %(days)s Tag, unabhängig vom Zeitraum oben. Die Fairness-Untergrenze beträgt %(floor)s %% des einem Partner zustehenden Anteils; ein Partner darunter erhält den nächsten Lead, den er übernehmen kann.',
        'Über den gleitenden Verteilungszeitraum von %(days)s Tagen, unabhängig vom Zeitraum oben. Die Fairness-Untergrenze beträgt %(floor)s %% des einem Partner zustehenden Anteils; ein Partner darunter erhält den nächsten Lead, den er übernehmen kann.'),
    'The partner with the most offers.': (
        'Der Partner mit den meisten Angeboten.',
        'Die %(n)s Partner mit den meisten Angeboten.'),
    'won revenue (%(currency)s) from %(n)s won lead': (
        'gewonnener Umsatz (%(currency)s) aus %(n)s gewonnenen Lead',
        'gewonnener Umsatz (%(currency)s) aus %(n)s gewonnenen Leads'),
})

# The partner inbox and the lead page
DE.update({
    "Why do you decline?": "Warum lehnen Sie ab?",
    "Working: we are in touch with the customer": "In Bearbeitung: Wir sind mit dem Kunden in Kontakt",
    "Lost: the customer will not buy": "Verloren: Der Kunde kauft nicht",
    "Assign to": "Zuweisen an",
    "In the lead's currency; empty keeps the lead's estimate.": "In der Währung des Leads; leer übernimmt die Schätzung des Leads.",
    "The customer, website, country and contact come from the lead.": "Kunde, Website, Land und Kontakt stammen aus dem Lead.",
    "Convert": "Umwandeln",
    "within the accept window": "innerhalb der Annahmefrist",
    "%(eligible)s eligible partners: %(available)s with capacity, %(at_capacity)s at capacity, %(excluded)s already offered this lead.":
        "%(eligible)s berechtigte Partner: %(available)s mit Kapazität, %(at_capacity)s ausgelastet, %(excluded)s wurde dieser Lead bereits angeboten.",
    "Rules tried first without a partner:": "Zuerst geprüfte Regeln ohne Partner:",
    "Candidates considered": "Berücksichtigte Kandidaten",
    "Won / offers": "Gewonnen / Angebote", "Received / due": "Erhalten / zustehend", "chosen": "gewählt",
    "Accept the lead %(company)s": "Den Lead %(company)s annehmen",
    "Convert to a deal": "In einen Deal umwandeln", "Hand the lead back": "Den Lead zurückgeben", "Hand back": "Zurückgeben",
    "none": "keine", "A lead from %(vendor)s": "Ein Lead von %(vendor)s",
    "Offered to %(partner)s: they must accept by %(date)s (%(when)s).": "%(partner)s angeboten: Annahme bis %(date)s (%(when)s).",
    "Accept or decline by %(date)s (%(when)s), or the lead goes to another partner. The contact details are shown once you accept.":
        "Nehmen Sie bis %(date)s (%(when)s) an oder lehnen Sie ab, sonst geht der Lead an einen anderen Partner. Die Kontaktdaten werden nach der Annahme angezeigt.",
    "No partner took this lead; it was escalated to its owner on %(date)s.": "Kein Partner hat diesen Lead übernommen; er wurde am %(date)s an seinen Verantwortlichen eskaliert.",
    "%(partner)s has accepted this lead; reassigning takes it back from them.": "%(partner)s hat diesen Lead angenommen; eine Neuzuweisung nimmt ihn zurück.",
    "Who works this lead": "Wer diesen Lead bearbeitet", "Assign": "Zuweisen", "Lead inbox": "Lead-Eingang",
    "Over the last %(days)s days your organisation received %(received)s leads; it was due %(due)s.":
        "In den letzten %(days)s Tagen hat Ihre Organisation %(received)s Leads erhalten; zugestanden hätten ihr %(due)s.",
    "You received fewer leads than the program's fairness floor: you are first in line for the next lead you can take.":
        "Sie haben weniger Leads erhalten, als die Fairness-Untergrenze des Programms vorsieht: Sie sind beim nächsten Lead, den Sie übernehmen können, zuerst an der Reihe.",
    "Leads are shared among the partners that can take them; the share due is what an even split among them would give you.":
        "Leads werden unter den Partnern verteilt, die sie übernehmen können; der zustehende Anteil ist, was Ihnen eine gleichmäßige Aufteilung gäbe.",
    "Capacity": "Kapazität",
    "Your organisation holds %(held)s open leads of the %(limit)s it takes at once.": "Ihre Organisation hat %(held)s offene Leads von %(limit)s, die sie gleichzeitig übernimmt.",
    "(the program's default: your organisation has not declared its capacity)": "(Standard des Programms: Ihre Organisation hat keine Kapazität angegeben)",
    "Save capacity": "Kapazität speichern", "Assigned to me": "Mir zugewiesen", "Reassigned by the vendor": "Vom Hersteller neu zugewiesen",
    "Accept a new offer to see the customer's contact details; it then waits here until you start working it.":
        "Nehmen Sie ein neues Angebot an, um die Kontaktdaten des Kunden zu sehen; es wartet dann hier, bis Sie es bearbeiten.",
    "Mark an accepted lead as working once you are in touch with the customer.": "Markieren Sie einen angenommenen Lead als „In Bearbeitung“, sobald Sie mit dem Kunden in Kontakt sind.",
    "Convert a lead you work into a deal registration: it is approved and protected for you at once.":
        "Wandeln Sie einen bearbeiteten Lead in eine Deal-Registrierung um: Sie wird sofort für Sie genehmigt und geschützt.",
    "Leads the customer did not go ahead with are kept here with the reason you gave.": "Leads, bei denen der Kunde nicht weitergemacht hat, stehen hier mit dem angegebenen Grund.",
    "Offers you declined, did not accept in time or that were reassigned are listed here.": "Hier stehen Angebote, die Sie abgelehnt, nicht rechtzeitig angenommen haben oder die neu zugewiesen wurden.",
    "No lead is waiting for your acceptance. New offers appear here with their deadline.": "Kein Lead wartet auf Ihre Annahme. Neue Angebote erscheinen hier mit ihrer Frist.",
    "unassigned": "nicht zugewiesen",
    "New leads are paused: your organisation takes no new leads until you raise its capacity.": "Neue Leads sind pausiert: Ihre Organisation erhält keine neuen Leads, bis Sie die Kapazität erhöhen.",
    "Saved: your organisation takes up to %(n)d open leads at once.": "Gespeichert: Ihre Organisation übernimmt bis zu %(n)d offene Leads gleichzeitig.",
    "This lead is no longer offered to your organisation: it was declined, its time to accept ran out, or it was passed to another partner.":
        "Dieser Lead wird Ihrer Organisation nicht mehr angeboten: Er wurde abgelehnt, die Annahmefrist ist abgelaufen oder er ging an einen anderen Partner.",
    "Accepted: %(company)s is yours. The contact details are now shown.": "Angenommen: %(company)s gehört Ihnen. Die Kontaktdaten werden jetzt angezeigt.",
    "Declined: %(company)s goes to another partner. Thank you for saying why.": "Abgelehnt: %(company)s geht an einen anderen Partner. Danke für die Begründung.",
    "Converted: %(company)s is now a protected deal registration.": "Umgewandelt: %(company)s ist jetzt eine geschützte Deal-Registrierung.",
    "The lead goes to the next partner at once.": "Der Lead geht sofort an den nächsten Partner.",
    "Required when the lead is lost.": "Erforderlich, wenn der Lead verloren ist.",
    "Open leads at once": "Gleichzeitig offene Leads", "Deal amount": "Deal-Betrag", "Deal amount (%(currency)s)": "Deal-Betrag (%(currency)s)",
    "Convert to a deal registration": "In eine Deal-Registrierung umwandeln",
    "No other active registration or house account matches this customer: the deal is approved and protected for your organisation as soon as you convert.":
        "Keine andere aktive Registrierung und kein Hausaccount passt zu diesem Kunden: Der Deal wird bei der Umwandlung sofort für Ihre Organisation genehmigt und geschützt.",
    "Routing history": "Verteilungsverlauf", "Your organisation's offers": "Angebote an Ihre Organisation", "nobody": "niemand",
    "Rule “%(rule)s”": "Regel „%(rule)s“", "Declined because:": "Abgelehnt, weil:", "Open / capacity": "Offen / Kapazität",
    "Raw routing decision": "Verteilungsentscheidung (Rohdaten)", "This lead has not been routed yet.": "Dieser Lead wurde noch nicht verteilt.",
    "No offers yet.": "Noch keine Angebote.", "Accept": "Annehmen", "Start working": "Bearbeitung beginnen",
    "Open the deal registration": "Deal-Registrierung öffnen", "Decline the lead": "Den Lead ablehnen", "Edit the lead": "Den Lead bearbeiten",
    "Converted to a deal registration on %(date)s.": "Am %(date)s in eine Deal-Registrierung umgewandelt.",
    "Lost because:": "Verloren, weil:", "Lead": "Lead", "Assigned to": "Zugewiesen an",
    "The contact details are shown once your organisation accepts the lead.": "Die Kontaktdaten werden angezeigt, sobald Ihre Organisation den Lead annimmt.",
    "Routing": "Verteilung", "What next": "Wie es weitergeht", "Reassign the lead": "Den Lead neu zuweisen",
    "Channel managers can reassign this lead.": "Channel-Manager können diesen Lead neu zuweisen.",
    "This lead is closed; it can no longer be reassigned.": "Dieser Lead ist abgeschlossen; er kann nicht mehr neu zugewiesen werden.",
    "Update the status": "Status aktualisieren", "Save the status": "Status speichern", "Your share of leads": "Ihr Anteil an den Leads",
    "Share received": "Erhaltener Anteil", "Share due": "Zustehender Anteil",
    "New leads are paused for your organisation.": "Neue Leads sind für Ihre Organisation pausiert.",
    "Your partner admin can change how many leads your organisation takes.": "Ihr Partner-Admin kann ändern, wie viele Leads Ihre Organisation übernimmt.",
    "Filter leads": "Leads filtern", "Lead tabs": "Lead-Reiter", "What happened": "Was geschah", "Not accepted in time": "Nicht rechtzeitig angenommen",
    "Clear the filters to see every lead of this tab.": "Filter zurücksetzen, um alle Leads dieses Reiters zu sehen.",
    "No new leads waiting for you.": "Keine neuen Leads warten auf Sie.", "No accepted leads.": "Keine angenommenen Leads.",
    "No leads in progress.": "Keine Leads in Bearbeitung.", "No converted leads yet.": "Noch keine umgewandelten Leads.",
    "No lost leads.": "Keine verlorenen Leads.", "Nothing returned.": "Nichts zurückgegeben.", "Accept by %(date)s": "Annehmen bis %(date)s",
    "Assigned to %(name)s": "Zugewiesen an %(name)s", "New leads": "Neue Leads", "awaiting your acceptance": "warten auf Ihre Annahme",
    "accepted or in progress": "angenommen oder in Bearbeitung", "accept by %(date)s": "annehmen bis %(date)s",
    "escalated to their owner": "an ihren Verantwortlichen eskaliert", "past the accept deadline": "Annahmefrist überschritten",
    "awaiting a partner": "warten auf einen Partner", "New offers": "Neue Angebote", "Returned": "Zurückgegeben",
    "%(company)s is marked lost.": "%(company)s ist als verloren markiert.", "%(company)s is marked as working.": "%(company)s ist als „In Bearbeitung“ markiert.",
    "%(company)s is assigned to %(name)s.": "%(company)s ist %(name)s zugewiesen.",
})
DE_PLURAL.update({
    "%(n)s below the fairness floor.": ("%(n)s unter der Fairness-Untergrenze.", "%(n)s unter der Fairness-Untergrenze."),
    "An open lead looks like the same company:": ("Ein offener Lead scheint dieselbe Firma zu sein:", "%(n)s offene Leads scheinen dieselbe Firma zu sein:"),
    "%(vendor)s offers you leads that match your territory and expertise. Accept or decline each new offer within %(hours)s hour (business days only), or it goes to another partner.": (
        "%(vendor)s bietet Ihnen Leads an, die zu Ihrem Gebiet und Ihrer Expertise passen. Nehmen Sie jedes neue Angebot innerhalb von %(hours)s Stunde (nur Werktage) an oder lehnen Sie es ab, sonst geht es an einen anderen Partner.",
        "%(vendor)s bietet Ihnen Leads an, die zu Ihrem Gebiet und Ihrer Expertise passen. Nehmen Sie jedes neue Angebot innerhalb von %(hours)s Stunden (nur Werktage) an oder lehnen Sie es ab, sonst geht es an einen anderen Partner."),
    "%(vendor)s offers you leads that match your territory and expertise. Accept or decline each new offer within %(hours)s hour, or it goes to another partner.": (
        "%(vendor)s bietet Ihnen Leads an, die zu Ihrem Gebiet und Ihrer Expertise passen. Nehmen Sie jedes neue Angebot innerhalb von %(hours)s Stunde an oder lehnen Sie es ab, sonst geht es an einen anderen Partner.",
        "%(vendor)s bietet Ihnen Leads an, die zu Ihrem Gebiet und Ihrer Expertise passen. Nehmen Sie jedes neue Angebot innerhalb von %(hours)s Stunden an oder lehnen Sie es ab, sonst geht es an einen anderen Partner."),
    "Leads from %(vendor)s appear here; you'll have %(hours)s hour to accept each one before it goes to another partner. You are notified of every new offer.": (
        "Leads von %(vendor)s erscheinen hier; Sie haben jeweils %(hours)s Stunde Zeit zur Annahme, bevor der Lead an einen anderen Partner geht. Über jedes neue Angebot werden Sie benachrichtigt.",
        "Leads von %(vendor)s erscheinen hier; Sie haben jeweils %(hours)s Stunden Zeit zur Annahme, bevor der Lead an einen anderen Partner geht. Über jedes neue Angebot werden Sie benachrichtigt."),
    "See the %(n)s new lead": ("Den %(n)s neuen Lead ansehen", "Alle %(n)s neuen Leads ansehen"),
    "%(n)d lead moved: %(names)s.": ("%(n)d Lead verschoben: %(names)s.", "%(n)d Leads verschoben: %(names)s."),
    "No leads were routed to your organisation in the last %(days)s day.": (
        "Am letzten %(days)s Tag wurden Ihrer Organisation keine Leads zugeteilt.",
        "In den letzten %(days)s Tagen wurden Ihrer Organisation keine Leads zugeteilt."),
    "%(n)s lead": ("%(n)s Lead", "%(n)s Leads"),
})
