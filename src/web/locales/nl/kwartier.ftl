# Kwartier web front, Nederlands (taalniveau B1: korte zinnen, gewone woorden).

skip-to-content = Direct naar de inhoud
nav-label = Hoofdmenu
nav-search = Zoeken
nav-themes = Thema's
nav-dashboard = Mijn overzicht
nav-profile = Mijn profiel
nav-login = Inloggen
nav-logout = Uitloggen
nav-signup = Account maken
footer-about = Kwartier verbindt bewonersinitiatieven: hier delen ze verhalen, vragen ze om steun en bieden ze hulp aan.
footer-feed = Nieuws als feed (Atom)
footer-api = API voor ontwikkelaars
optional = niet verplicht

feed-node = Verhalen van initiatieven op { $node }
feed-theme = Verhalen over #{ $theme } van initiatieven op { $node }

embed-theme = Initiatieven over { $theme }
embed-neighbourhood = Initiatieven in { $neighbourhood }

home-title = Welkom
home-intro = Op deze plek delen bewonersinitiatieven hun verhalen. Ze vragen om steun en bieden hulp aan. Samen maken we de buurt sterker.
home-follow-hint = Heeft u een account op Mastodon of een andere fediverse-dienst? Dan kunt u elk initiatief hier volgen. Zoek dan op @naam@{ $domain }.
home-latest = Nieuwste verhalen
home-themes = Thema's
home-initiatives = Initiatieven
home-near-you = Initiatieven bij u in de buurt
home-all-neighbourhoods = Alle buurten
home-show = Tonen
home-search-link = Zoek een initiatief of verhaal
stories-none = Er zijn nog geen verhalen.
initiatives-none = Er zijn nog geen initiatieven.
themes-none = Er zijn nog geen thema's.

followers-count = { $count ->
    [one] { $shown } volger
   *[other] { $shown } volgers
}
appreciations-count = { $count ->
    [0] Nog geen waardering
    [one] { $shown } keer gewaardeerd
   *[other] { $shown } keer gewaardeerd
}
comments-count = { $count ->
    [0] Reacties
    [one] { $shown } reactie
   *[other] { $shown } reacties
}

initiative-contact = Contactpersoon
initiative-neighbourhood = Buurt
initiative-place = Plaats
initiative-themes = Thema's
initiative-website = Website
initiative-stories = Verhalen
initiative-feed = Verhalen van dit initiatief als feed (Atom)
follow-heading = Volgen
follow-button = Volgen
unfollow-button = Niet meer volgen
follow-fediverse = Volg dit initiatief vanaf Mastodon of een andere fediverse-dienst. Zoek daar op deze naam:
copy-button = Kopiëren
copied = Gekopieerd
remote-follow-button = Volg via mijn eigen server
field-account = Uw account
field-account-hint = Bijvoorbeeld @anna@mastodon.nl. U gaat daarna naar uw eigen server om het volgen te bevestigen.

story-by = Door
story-original = Lees dit verhaal op de oorspronkelijke website
appreciate-button = Waarderen
comment-answers = antwoord aan { $name }
comment-deleted = Deze reactie is verwijderd.
comment-hidden = Verborgen door de beheerders.
comment-hidden-note = Verborgen door de beheerders; alleen leden van het initiatief zien deze tekst.
comment-hide = Verbergen
comment-unhide = Weer tonen
comment-remove = Verwijderen
comment-remove-confirm = Deze reactie voorgoed verwijderen, ook op andere servers? Dit kan niet ongedaan worden gemaakt.
comment-remove-button = Ja, voorgoed verwijderen
reply-heading = Reageren
reply-button = Reactie plaatsen
reply-login = Log in om te reageren
field-content = Tekst
field-content-hint = U kunt Markdown gebruiken, bijvoorbeeld **vet** en [link](https://…).

person-initiatives = Initiatieven
person-no-initiatives = Deze persoon doet nog niet mee aan een initiatief.
role-owner = beheerder
role-member = lid

themes-title = Thema's
themes-intro = Initiatieven en verhalen zijn geordend op thema. Kies een thema om alles erover te zien.
theme-feed = Verhalen over dit thema als feed (Atom)
theme-initiatives = Initiatieven
theme-stories = Verhalen

search-title = Zoeken
search-text = Zoek op woord
search-theme = Thema
search-any-theme = Alle thema's
search-button = Zoeken
search-initiatives = Gevonden initiatieven
search-stories = Gevonden verhalen

login-title = Inloggen
login-button = Inloggen
login-no-account = Nog geen account?
login-wrong = De gebruikersnaam of het wachtwoord klopt niet.
login-pending = Uw account is nog niet goedgekeurd. U krijgt bericht als dat wel zo is.
login-suspended = Dit account is geschorst door de beheerders van deze server. Neem contact met hen op als u denkt dat dit niet klopt.
login-too-many = U heeft te vaak geprobeerd in te loggen. Wacht een minuut en probeer het opnieuw.
signup-title = Account maken
signup-button = Account maken
signup-have-account = Heeft u al een account?
signup-approval-intro = Een beheerder bekijkt elke aanmelding. Daarna kunt u inloggen.
signup-waiting = Bedankt voor uw aanmelding. Een beheerder bekijkt die zo snel mogelijk. Daarna kunt u inloggen.
signup-invite-only = Op deze plek kunt u alleen een account maken met een uitnodiging van een beheerder.
signup-closed = Op deze plek kunt u nu geen account maken. Neem contact op met de beheerder.
password-title = Wachtwoord wijzigen
password-button = Wachtwoord wijzigen
password-changed = Uw wachtwoord is gewijzigd. Op andere apparaten bent u uitgelogd.

field-username = Gebruikersnaam
field-username-hint = Kleine letters, cijfers en _, hoogstens 30 tekens. Anderen zien deze naam.
field-password = Wachtwoord
field-password-hint = Minstens 10 tekens.
field-password_again = Wachtwoord nog een keer
field-answer = Uw antwoord
field-current_password = Huidig wachtwoord
field-new_password = Nieuw wachtwoord
field-new_password-hint = Minstens 10 tekens.
field-new_password_again = Nieuw wachtwoord nog een keer

dashboard-title = Mijn overzicht
dashboard-initiatives = Mijn initiatieven
dashboard-no-initiatives = U doet nog niet mee aan een initiatief. Begin er zelf een.
dashboard-new-initiative = Nieuw initiatief beginnen
dashboard-write-story = Verhaal schrijven voor { $name }
dashboard-account = Mijn account

initiative-new-title = Nieuw initiatief
initiative-create-button = Initiatief aanmaken
field-name = Naam
field-handle = Korte naam
field-handle-hint = Voor het webadres en om te volgen: kleine letters, cijfers en _, hoogstens 30 tekens. U kunt dit later niet meer wijzigen.
field-summary = Korte beschrijving
field-themes = Thema's
field-themes-hint = Woorden gescheiden door komma's, bijvoorbeeld: groen, zorg, energie
field-neighbourhood = Buurt
field-location = Plaats
field-website = Website
field-website-hint = Begint met https://
field-discoverable = Vindbaar in het netwerk
field-discoverable-hint = Andere Kwartier-websites tonen dit initiatief in hun zoekresultaten. Zonder vinkje verdwijnt het daar bij de volgende synchronisatie; deze pagina en volgers blijven.

story-new-title = Verhaal schrijven
story-new-for = Voor { $name }
story-preview = Voorbeeld
story-preview-button = Voorbeeld bekijken
story-publish-button = Publiceren
field-title = Titel
cover-legend = Omslagfoto
cover-chosen = Gekozen foto:
field-cover = Foto kiezen
field-cover-other = Andere foto kiezen
field-cover-hint = Een JPEG-, PNG-, WebP- of GIF-bestand van hoogstens 8 MB. Locatiegegevens in de foto halen we eruit.
field-cover_alt = Beschrijving van de foto
field-cover_alt-hint = Verplicht als u een foto kiest. Beschrijf wat erop staat, voor mensen die de foto niet kunnen zien.
invalid-cover = Kies een JPEG-, PNG-, WebP- of GIF-foto van hoogstens 8 MB.
invalid-cover_alt = Beschrijf wat er op de foto staat.
field-visibility = Wie mag dit zien?
visibility-public = Iedereen
visibility-public-hint = Ook mensen op andere servers, zoals Mastodon.
visibility-followers = Alleen volgers
visibility-followers-hint = Alleen mensen die dit initiatief volgen, ook op andere servers.
visibility-local = Alleen deze website
visibility-local-hint = Blijft op deze website. Andere servers krijgen het niet.

form-has-errors = Er ging iets mis. Verbeter het volgende:
error-prefix = Fout:
error-title-prefix = Fout:
invalid-username = Kies een gebruikersnaam van 1 tot 30 tekens: kleine letters, cijfers en _. Sommige namen zijn niet beschikbaar.
invalid-username-empty = Vul uw gebruikersnaam in.
invalid-password = Kies een wachtwoord van minstens 10 tekens.
invalid-password-empty = Vul uw wachtwoord in.
invalid-password_again = De twee wachtwoorden zijn niet hetzelfde.
invalid-answer = Beantwoord de vraag (hoogstens 2000 tekens).
invalid-current_password = Dit is niet uw huidige wachtwoord.
invalid-new_password = Kies een nieuw wachtwoord van minstens 10 tekens.
invalid-new_password_again = De twee nieuwe wachtwoorden zijn niet hetzelfde.
invalid-account = Vul uw account in zoals @naam@server, bijvoorbeeld @anna@mastodon.nl. Controleer of de server bestaat.
invalid-content = Schrijf een tekst van hoogstens 10.000 tekens.
invalid-in_reply_to = Deze reactie bestaat niet meer.
invalid-name = Vul een naam in van hoogstens 100 tekens.
invalid-handle = Kies een korte naam van 1 tot 30 tekens: kleine letters, cijfers en _.
invalid-summary = De beschrijving is te lang.
invalid-themes = Schrijf elk thema als één woord, zonder leestekens. Hoogstens 10 thema's.
invalid-neighbourhood = De naam van de buurt is te lang (hoogstens 100 tekens).
invalid-location = De naam van de plaats is te lang (hoogstens 100 tekens).
invalid-website = Vul een webadres in dat begint met https://
invalid-title = Vul een titel in van hoogstens 200 tekens.
invalid-visibility = Kies wie dit mag zien.
invalid-language = Deze taal kennen we niet.
taken-username = Deze gebruikersnaam is al in gebruik. Kies een andere.
taken-handle = Deze korte naam is al in gebruik. Kies een andere.

error-400-title = Dat lukte niet
error-400-text = Het formulier is verlopen of niet compleet. Ga terug, laad de pagina opnieuw en probeer het nog een keer.
error-403-title = Geen toegang
error-403-text = U mag deze pagina niet zien of deze actie niet doen.
error-404-title = Pagina niet gevonden
error-404-text = Deze pagina bestaat niet (meer). Misschien is hij verwijderd of klopt het adres niet.
error-413-title = Te groot
error-413-text = Wat u stuurde is te groot. Probeer een kleiner bestand.
error-429-title = Even wachten
error-429-text = U heeft het te vaak geprobeerd. Wacht een minuut en probeer het opnieuw.
error-500-title = Er ging iets mis
error-500-text = Er ging bij ons iets mis. Probeer het later nog een keer.
error-code = Foutcode
error-home-link = Naar de startpagina

manage-edit = Bewerken
manage-members = Leden
save-button = Opslaan
initiative-edit-title = Initiatief bewerken
story-edit-title = Verhaal bewerken
cover-remove = Foto weghalen
story-delete-link = Verwijderen
story-delete-title = Verhaal verwijderen
story-delete-question = Weet u zeker dat u het verhaal "{ $title }" wilt verwijderen?
story-delete-warning = U kunt dit niet ongedaan maken. Ook mensen op andere servers krijgen bericht dat het verhaal weg is.
story-delete-button = Ja, verwijderen
story-delete-cancel = Nee, terug naar het verhaal

members-title = Leden van { $name }
members-back = Terug naar het initiatief
members-list = Wie doet er mee?
members-remove = Verwijderen
members-add = Lid toevoegen
members-add-button = Toevoegen
members-added = Het nieuwe lid is toegevoegd.
members-removed = Het lid is verwijderd.
members-contact-changed = De contactpersoon is gewijzigd.
members-already = Deze persoon is al lid van dit initiatief.
field-member_username = Gebruikersnaam
field-member_username-hint = De persoon moet al een account hebben op deze website.
invalid-member_username = Er is hier niemand met deze gebruikersnaam. Controleer de naam.
field-member_role = Rol
invalid-member_role = Kies lid of beheerder.
field-contact = Contactpersoon
field-contact-hint = Deze persoon staat op de pagina van het initiatief. Kies een van de leden.
invalid-contact = Kies een contactpersoon uit de leden.
invalid-remove_contact = U kunt de contactpersoon niet verwijderen. Kies eerst een andere contactpersoon.
invalid-remove_last_owner = Een initiatief heeft altijd minstens één beheerder. Maak eerst iemand anders beheerder.

# Network-wide search (/netwerk)
nav-network = Netwerk
network-title = Zoeken in het netwerk
network-map-title = Het netwerk op de kaart
network-intro = Vind initiatieven en themagroepen op alle Kwartier-knooppunten: op woord, thema en afstand tot een plaats.
network-text = Zoek op woord
network-place = Plaats of postcode
network-place-hint = Bijvoorbeeld Oss of 5341 AB.
network-place-unknown = Deze plaats of postcode is niet gevonden. Probeer een plaatsnaam of een postcode zoals 5341 AB.
invalid-place = Gebruik hoogstens 100 tekens voor de plaats.
network-radius = Afstand
network-radius-km = binnen { $km } km
network-kind = Soort
network-kind-any = Initiatieven en groepen
network-kind-initiative = Initiatief
network-kind-group = Themagroep
network-found = Gevonden in het netwerk
network-none = Niets gevonden. Probeer een ander woord, thema of een grotere afstand.
network-distance = { $distance } km
network-hosted-by = op { $node }
network-follow-button = Volg { $name }
network-following = U volgt dit.
network-follow-pending = Uw verzoek om te volgen is verstuurd.
network-show-map = Toon op de kaart
network-show-list = Toon als lijst
network-map-label = Kaart met de gevonden initiatieven en groepen
network-map-off = Op dit knooppunt is geen kaart ingesteld; de lijst hieronder toont alles.
network-pages = Pagina's met resultaten
network-previous = Vorige resultaten
network-next = Volgende resultaten
## Theme groups
groups-title = Themagroepen
groups-intro = In een themagroep vinden mensen en initiatieven uit alle regio's elkaar rond één thema. Wat leden in de groep plaatsen, krijgen alle leden te zien, ook op Mastodon, Lemmy en andere servers.
groups-none = Deze server heeft nog geen themagroepen.
group-members-count = { $count ->
    [one] { $count } lid
   *[other] { $count } leden
}
group-moderators = Moderatoren
group-moderators-none = Nog geen moderatoren
group-rules = Regels van de groep
group-join-heading = Meedoen
group-join-button = Lid worden
group-leave-button = Groep verlaten
group-join-fediverse = Word lid vanaf Mastodon, Lemmy of een andere fediverse-dienst: volg deze naam. Berichten waarin u de groep noemt, deelt de groep met alle leden.
group-posts = Berichten in de groep
group-posts-none = Nog geen berichten.
group-reply = Reactie
group-locked = gesloten voor reacties
group-lock-button = Sluiten voor reacties
group-unlock-button = Weer openen voor reacties
group-remove-button = Verwijderen uit de groep
group-remove-confirm = Het bericht verdwijnt uit de groep, ook bij de leden op andere servers.
nav-groups = Themagroepen
field-groups = Delen in themagroepen
field-groups-hint = Optioneel: namen van themagroepen, hier of op een andere server, gescheiden door komma's, bijvoorbeeld zorgnetwerk@kwartier.oss.nl. Alleen voor openbare verhalen.
invalid-groups = Noem themagroepen waar uw initiatief lid van is, als groep@server, en kies zichtbaarheid 'openbaar'.
group-new-title = Nieuwe themagroep
group-create-button = Themagroep aanmaken
field-rules = Regels
field-rules-hint = Wat leden in de groep mogen plaatsen. U kunt Markdown gebruiken.
invalid-rules = De regels zijn te lang (hoogstens 5000 tekens).

# Beheer (/admin)
nav-admin = Beheer
admin-title = Beheer van deze server
admin-intro = Hier bestuurt u deze server: wie er mag meedoen, met welke servers hij federeert en wat er wordt verwijderd. Niets van dit beheer gaat naar andere servers; elke handeling komt in het logboek.
admin-audit-title = Logboek
admin-audit-description = Elke handeling van beheerders en moderatoren: wie, wat, wanneer en waarom.
admin-audit-intro = Het logboek kan alleen groeien: niemand kan een regel wijzigen of verwijderen, ook beheerders niet.
admin-audit-export = Logboek downloaden (JSON)
admin-audit-empty = Er staat nog niets in het logboek.
admin-audit-caption = Handelingen, nieuwste eerst
admin-audit-when = Wanneer
admin-audit-who = Wie
admin-audit-what = Wat
admin-audit-target = Waarop
admin-audit-why = Waarom
admin-audit-older = Oudere handelingen
admin-accounts-title = Accounts
admin-accounts-description = Aanmeldingen goedkeuren of weigeren, accounts schorsen, wachtwoorden herstellen en rollen geven.
admin-accounts-pending = Wachten op goedkeuring
admin-accounts-none-pending = Er wachten geen aanmeldingen.
admin-accounts-all = Alle accounts
admin-accounts-since = sinds
admin-accounts-answer = Antwoord op de aanmeldvraag
admin-accounts-approve = Goedkeuren
admin-accounts-reject = Weigeren
admin-accounts-reject-reason = Reden van weigeren (optioneel)
admin-accounts-role = Rol
admin-accounts-role-button = Rol opslaan
admin-accounts-suspend = Schorsen
admin-accounts-suspend-reason = Reden van schorsen (verplicht)
admin-accounts-suspension-reason = Reden van schorsing
admin-accounts-unsuspend = Schorsing opheffen
admin-accounts-reset-password = Nieuw wachtwoord maken
admin-accounts-approved = @{ $name } is goedgekeurd en kan inloggen.
admin-accounts-rejected = De aanmelding van @{ $name } is geweigerd en verwijderd.
admin-accounts-suspended = @{ $name } is geschorst; lopende sessies en sleutels zijn beëindigd.
admin-accounts-unsuspended = @{ $name } kan weer inloggen.
admin-accounts-password = Nieuw wachtwoord voor @{ $name }: { $password } (alleen nu zichtbaar; geef het veilig door).
admin-accounts-role-set = @{ $name } is nu { $role }.
admin-reason-required = Geef een reden op: die komt in het logboek.
admin-role-member = lid
admin-role-moderator = moderator
admin-role-admin = beheerder
admin-state-pending = wacht op goedkeuring
admin-state-active = actief
admin-state-suspended = geschorst

# AVG: eigen gegevens downloaden en account verwijderen
account-back = Terug naar uw overzicht
account-export-title = Mijn gegevens downloaden
account-export-intro = U kunt alles downloaden wat deze Kwartier-server over u bewaart (AVG): één ZIP-bestand.
account-export-contents = Daarin staan uw account en profiel, uw initiatieven en rollen, verhalen, reacties, waarderingen, wie u volgt en wie u volgen, meldingen, en als JSON-bestand (machineleesbaar) plus de afbeeldingen die u uploadde.
account-export-button = ZIP-bestand downloaden
account-delete-title = Mijn account verwijderen
account-delete-warning = Let op: dit kunt u niet ongedaan maken.
account-delete-federation = Uw account verdwijnt van deze server, en andere servers die u kenden krijgen bericht dat het verwijderd is.
account-delete-content-anonymise = Uw verhalen en reacties blijven staan, maar zonder uw naam: als van een verwijderd account.
account-delete-content-remove = Uw verhalen, reacties en uploads worden verwijderd, hier en op andere servers.
account-delete-name = Uw gebruikersnaam wordt niet opnieuw uitgegeven.
account-delete-export-first = Wilt u eerst uw gegevens bewaren?
account-delete-button = Account definitief verwijderen
account-delete-cancel = Annuleren
account-delete-done = Uw account is verwijderd. U bent uitgelogd.
account-delete-home = Naar de voorpagina
account-delete-wrong-password = Dit is niet uw wachtwoord.
account-delete-last-admin = U bent de enige beheerder: maak eerst iemand anders beheerder.
account-deleted-author = verwijderd account
admin-accounts-delete = Account verwijderen
admin-accounts-delete-reason = Reden van verwijderen (verplicht)
admin-accounts-deleted = Het account @{ $name } is verwijderd.
