# Kwartier web front, English.

skip-to-content = Skip to content
nav-label = Main menu
nav-search = Search
nav-themes = Themes
nav-dashboard = My overview
nav-profile = My profile
nav-login = Log in
nav-logout = Log out
nav-signup = Create account
footer-about = Kwartier connects citizen initiatives: here they share stories, ask for support and offer help.
footer-feed = News as a feed (Atom)
footer-api = API for developers
optional = optional

feed-node = Stories of initiatives on { $node }
feed-theme = Stories on #{ $theme } of initiatives on { $node }

embed-theme = Initiatives on { $theme }
embed-neighbourhood = Initiatives in { $neighbourhood }

home-title = Welcome
home-intro = Citizen initiatives share their stories here. They ask for support and offer help. Together we make the neighbourhood stronger.
home-follow-hint = Do you have an account on Mastodon or another fediverse service? Then you can follow every initiative here. Search for @name@{ $domain }.
home-latest = Latest stories
home-themes = Themes
home-initiatives = Initiatives
home-near-you = Initiatives near you
home-all-neighbourhoods = All neighbourhoods
home-show = Show
home-search-link = Find an initiative or story
stories-none = There are no stories yet.
initiatives-none = There are no initiatives yet.
themes-none = There are no themes yet.

followers-count = { $count ->
    [one] { $shown } follower
   *[other] { $shown } followers
}
appreciations-count = { $count ->
    [0] Not appreciated yet
    [one] Appreciated once
   *[other] Appreciated { $shown } times
}
comments-count = { $count ->
    [0] Comments
    [one] { $shown } comment
   *[other] { $shown } comments
}

initiative-contact = Contact person
initiative-neighbourhood = Neighbourhood
initiative-place = Place
initiative-themes = Themes
initiative-website = Website
initiative-stories = Stories
initiative-feed = This initiative's stories as a feed (Atom)
follow-heading = Follow
follow-button = Follow
unfollow-button = Unfollow
follow-fediverse = Follow this initiative from Mastodon or another fediverse service. Search there for this name:
copy-button = Copy
copied = Copied
remote-follow-button = Follow from my own server
field-account = Your account
field-account-hint = For example @anna@mastodon.social. You then go to your own server to confirm.

story-by = By
story-original = Read this story on its original website
appreciate-button = Appreciate
comment-answers = reply to { $name }
comment-deleted = This comment was deleted.
comment-hidden = Hidden by the organisers.
comment-hidden-note = Hidden by the organisers; only members of the initiative see this text.
comment-hide = Hide
comment-unhide = Show again
comment-remove = Remove
comment-remove-confirm = Remove this comment for good, on other servers too? This cannot be undone.
comment-remove-button = Yes, remove for good
reply-heading = Reply
reply-button = Post reply
reply-login = Log in to reply
field-content = Text
field-content-hint = You can use Markdown, for example **bold** and [link](https://…).

person-initiatives = Initiatives
person-no-initiatives = This person does not take part in an initiative yet.
role-owner = owner
role-member = member

themes-title = Themes
themes-intro = Initiatives and stories are organised by theme. Choose a theme to see everything about it.
theme-feed = Stories on this theme as a feed (Atom)
theme-initiatives = Initiatives
theme-stories = Stories

search-title = Search
search-text = Search for a word
search-theme = Theme
search-any-theme = All themes
search-button = Search
search-initiatives = Initiatives found
search-stories = Stories found

login-title = Log in
login-button = Log in
login-no-account = No account yet?
login-wrong = The username or password is not right.
login-pending = Your account has not been approved yet. You will hear when it is.
login-suspended = This account has been suspended by the administrators of this server. Contact them if you think this is a mistake.
login-too-many = You tried to log in too often. Wait a minute and try again.
signup-title = Create account
signup-button = Create account
signup-have-account = Already have an account?
signup-approval-intro = An administrator looks at every sign-up. After that you can log in.
signup-waiting = Thank you for signing up. An administrator will look at it as soon as possible. After that you can log in.
signup-invite-only = Here you can only create an account with an invitation from an administrator.
signup-closed = You cannot create an account here now. Please contact the administrator.
password-title = Change password
password-button = Change password
password-changed = Your password was changed. You were logged out on other devices.

field-username = Username
field-username-hint = Lowercase letters, digits and _, at most 30 characters. Others see this name.
field-password = Password
field-password-hint = At least 10 characters.
field-password_again = Password again
field-answer = Your answer
field-current_password = Current password
field-new_password = New password
field-new_password-hint = At least 10 characters.
field-new_password_again = New password again

dashboard-title = My overview
dashboard-initiatives = My initiatives
dashboard-no-initiatives = You do not take part in an initiative yet. Start one yourself.
dashboard-new-initiative = Start a new initiative
dashboard-write-story = Write a story for { $name }
dashboard-account = My account

initiative-new-title = New initiative
initiative-create-button = Create initiative
field-name = Name
field-handle = Short name
field-handle-hint = For the web address and for following: lowercase letters, digits and _, at most 30 characters. You cannot change it later.
field-summary = Short description
field-themes = Themes
field-themes-hint = Words separated by commas, for example: green, care, energy
field-neighbourhood = Neighbourhood
field-location = Place
field-website = Website
field-website-hint = Starts with https://
field-discoverable = Findable across the network
field-discoverable-hint = Other Kwartier sites show this initiative in their search results. Untick it and it disappears there at their next sync; this page and followers stay.

story-new-title = Write a story
story-new-for = For { $name }
story-preview = Preview
story-preview-button = Preview
story-publish-button = Publish
field-title = Title
cover-legend = Cover picture
cover-chosen = Chosen picture:
field-cover = Choose a picture
field-cover-other = Choose another picture
field-cover-hint = A JPEG, PNG, WebP or GIF file of at most 8 MB. We remove location data from the picture.
field-cover_alt = Description of the picture
field-cover_alt-hint = Required if you choose a picture. Describe what it shows, for people who cannot see it.
invalid-cover = Choose a JPEG, PNG, WebP or GIF picture of at most 8 MB.
invalid-cover_alt = Describe what the picture shows.
field-visibility = Who may see this?
visibility-public = Everyone
visibility-public-hint = Also people on other servers, such as Mastodon.
visibility-followers = Followers only
visibility-followers-hint = Only people who follow this initiative, also on other servers.
visibility-local = This website only
visibility-local-hint = Stays on this website. Other servers do not get it.

form-has-errors = Something went wrong. Please correct the following:
error-prefix = Error:
error-title-prefix = Error:
invalid-username = Choose a username of 1 to 30 characters: lowercase letters, digits and _. Some names are not available.
invalid-username-empty = Enter your username.
invalid-password = Choose a password of at least 10 characters.
invalid-password-empty = Enter your password.
invalid-password_again = The two passwords are not the same.
invalid-answer = Answer the question (at most 2000 characters).
invalid-current_password = This is not your current password.
invalid-new_password = Choose a new password of at least 10 characters.
invalid-new_password_again = The two new passwords are not the same.
invalid-account = Enter your account as @name@server, for example @anna@mastodon.social. Check that the server exists.
invalid-content = Write a text of at most 10,000 characters.
invalid-in_reply_to = That comment no longer exists.
invalid-name = Enter a name of at most 100 characters.
invalid-handle = Choose a short name of 1 to 30 characters: lowercase letters, digits and _.
invalid-summary = The description is too long.
invalid-themes = Write each theme as one word, without punctuation. At most 10 themes.
invalid-neighbourhood = The neighbourhood's name is too long (at most 100 characters).
invalid-location = The place's name is too long (at most 100 characters).
invalid-website = Enter a web address that starts with https://
invalid-title = Enter a title of at most 200 characters.
invalid-visibility = Choose who may see this.
invalid-language = We do not know this language.
taken-username = This username is already taken. Choose another.
taken-handle = This short name is already taken. Choose another.

error-400-title = That did not work
error-400-text = The form has expired or is incomplete. Go back, reload the page and try again.
error-403-title = No access
error-403-text = You may not see this page or do this.
error-404-title = Page not found
error-404-text = This page does not exist (any more). Perhaps it was removed or the address is wrong.
error-413-title = Too large
error-413-text = What you sent is too large. Try a smaller file.
error-429-title = Please wait
error-429-text = You tried too often. Wait a minute and try again.
error-500-title = Something went wrong
error-500-text = Something went wrong on our side. Please try again later.
error-code = Error code
error-home-link = To the home page

manage-edit = Edit
manage-members = Members
save-button = Save
initiative-edit-title = Edit initiative
story-edit-title = Edit story
cover-remove = Remove the picture
story-delete-link = Delete
story-delete-title = Delete story
story-delete-question = Are you sure you want to delete the story "{ $title }"?
story-delete-warning = You cannot undo this. People on other servers are told the story is gone, too.
story-delete-button = Yes, delete
story-delete-cancel = No, back to the story

members-title = Members of { $name }
members-back = Back to the initiative
members-list = Who takes part?
members-remove = Remove
members-add = Add a member
members-add-button = Add
members-added = The new member has been added.
members-removed = The member has been removed.
members-contact-changed = The contact person has been changed.
members-already = This person is already a member of this initiative.
field-member_username = Username
field-member_username-hint = The person must already have an account on this website.
invalid-member_username = There is nobody here with this username. Check the name.
field-member_role = Role
invalid-member_role = Choose member or owner.
field-contact = Contact person
field-contact-hint = This person is shown on the initiative's page. Choose one of the members.
invalid-contact = Choose a contact person from the members.
invalid-remove_contact = You cannot remove the contact person. Choose another contact person first.
invalid-remove_last_owner = An initiative always has at least one owner. Make someone else an owner first.

# Network-wide search (/netwerk)
nav-network = Network
network-title = Search the network
network-map-title = The network on the map
network-intro = Find initiatives and theme groups on every Kwartier node: by word, theme and distance from a place.
network-text = Search by word
network-place = Place or postcode
network-place-hint = For example Oss or 5341 AB.
network-place-unknown = This place or postcode was not found. Try a place name or a postcode like 5341 AB.
invalid-place = Use at most 100 characters for the place.
network-radius = Distance
network-radius-km = within { $km } km
network-kind = Kind
network-kind-any = Initiatives and groups
network-kind-initiative = Initiative
network-kind-group = Theme group
network-found = Found in the network
network-none = Nothing found. Try another word, theme or a larger distance.
network-distance = { $distance } km
network-hosted-by = on { $node }
network-follow-button = Follow { $name }
network-following = You follow this.
network-follow-pending = Your request to follow has been sent.
network-show-map = Show on the map
network-show-list = Show as a list
network-map-label = Map of the initiatives and groups found
network-map-off = This node has no map configured; the list below shows everything.
network-pages = Pages of results
network-previous = Previous results
network-next = Next results
## Theme groups
groups-title = Theme groups
groups-intro = In a theme group, people and initiatives from every region find each other around one theme. What members post to the group, all members see, on Mastodon, Lemmy and other servers too.
groups-none = This server has no theme groups yet.
group-members-count = { $count ->
    [one] { $count } member
   *[other] { $count } members
}
group-moderators = Moderators
group-moderators-none = No moderators yet
group-rules = Group rules
group-join-heading = Join
group-join-button = Join the group
group-leave-button = Leave the group
group-join-fediverse = Join from Mastodon, Lemmy or another fediverse service: follow this name. Posts that mention the group are shared with all members.
group-posts = Posts in the group
group-posts-none = No posts yet.
group-reply = Reply
group-locked = closed for replies
group-lock-button = Close for replies
group-unlock-button = Open for replies again
group-remove-button = Remove from the group
group-remove-confirm = The post disappears from the group, also for members on other servers.
nav-groups = Theme groups
field-groups = Share in theme groups
field-groups-hint = Optional: names of theme groups, here or on another server, separated by commas, for example zorgnetwerk@kwartier.oss.nl. Public stories only.
invalid-groups = Name theme groups your initiative belongs to, as group@server, and choose visibility 'public'.
group-new-title = New theme group
group-create-button = Create theme group
field-rules = Rules
field-rules-hint = What members may post to the group. You can use Markdown.
invalid-rules = The rules are too long (at most 5000 characters).

# Administration (/admin)
nav-admin = Administration
admin-title = Administering this server
admin-intro = Here you govern this server: who may join, which servers it federates with, and what gets removed. None of this administration goes to other servers; every action goes into the audit log.
admin-audit-title = Audit log
admin-audit-description = Every action of admins and moderators: who, what, when and why.
admin-audit-intro = The audit log can only grow: nobody can change or delete an entry, admins included.
admin-audit-export = Download the audit log (JSON)
admin-audit-empty = The audit log is empty so far.
admin-audit-caption = Actions, newest first
admin-audit-when = When
admin-audit-who = Who
admin-audit-what = What
admin-audit-target = On what
admin-audit-why = Why
admin-audit-older = Older actions
admin-accounts-title = Accounts
admin-accounts-description = Approve or reject sign-ups, suspend accounts, reset passwords and give roles.
admin-accounts-pending = Waiting for approval
admin-accounts-none-pending = No sign-ups are waiting.
admin-accounts-all = All accounts
admin-accounts-since = since
admin-accounts-answer = Answer to the sign-up question
admin-accounts-approve = Approve
admin-accounts-reject = Reject
admin-accounts-reject-reason = Reason for rejecting (optional)
admin-accounts-role = Role
admin-accounts-role-button = Save role
admin-accounts-suspend = Suspend
admin-accounts-suspend-reason = Reason for suspending (required)
admin-accounts-suspension-reason = Reason for the suspension
admin-accounts-unsuspend = Lift the suspension
admin-accounts-reset-password = Make a new password
admin-accounts-approved = @{ $name } is approved and can log in.
admin-accounts-rejected = @{ $name }'s sign-up is rejected and deleted.
admin-accounts-suspended = @{ $name } is suspended; their sessions and tokens have ended.
admin-accounts-unsuspended = @{ $name } can log in again.
admin-accounts-password = New password for @{ $name }: { $password } (shown only now; pass it on safely).
admin-accounts-role-set = @{ $name } is now { $role }.
admin-reason-required = Give a reason: it goes into the audit log.
admin-role-member = member
admin-role-moderator = moderator
admin-role-admin = administrator
admin-state-pending = waiting for approval
admin-state-active = active
admin-state-suspended = suspended

# AVG/GDPR: downloading one's data and deleting one's account
account-back = Back to your dashboard
account-export-title = Download my data
account-export-intro = You can download everything this Kwartier server stores about you (GDPR): one ZIP file.
account-export-contents = It holds your account and profile, your initiatives and roles, stories, comments, appreciations, whom you follow and who follows you, and notifications, as a JSON file (machine-readable), plus the pictures you uploaded.
account-export-button = Download ZIP file
account-delete-title = Delete my account
account-delete-warning = Careful: this cannot be undone.
account-delete-federation = Your account disappears from this server, and other servers that knew you are told that it was deleted.
account-delete-content-anonymise = Your stories and comments stay, without your name: as by a deleted account.
account-delete-content-remove = Your stories, comments and uploads are deleted, here and on other servers.
account-delete-name = Your username will not be given out again.
account-delete-export-first = Do you want to keep your data first?
account-delete-button = Delete my account for good
account-delete-cancel = Cancel
account-delete-done = Your account has been deleted. You are logged out.
account-delete-home = To the front page
account-delete-wrong-password = This is not your password.
account-delete-last-admin = You are the only admin: make someone else admin first.
account-deleted-author = deleted account
admin-accounts-delete = Delete account
admin-accounts-delete-reason = Reason for deleting (required)
admin-accounts-deleted = The account @{ $name } has been deleted.
