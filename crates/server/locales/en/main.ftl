# motcua — English

site-name = One Door
skip-to-content = Skip to main content
nav-label = Main navigation
nav-procedures = Administrative procedures
footer-text = motcua online public services portal — open-source software.
back-home = Back to the home page
home-title = Online public services
home-intro = Find a procedure, submit your dossier and receive the result without going to the office.
search-label = Find a procedure (name or code, with or without accents)
search-button = Search

# Errors: titles
title-unauthorized = Not signed in
title-not-found = Not found
title-forbidden = Not allowed
title-conflict = Cannot be done now
title-invalid-input = Some information is not valid
title-payload-too-large = Too large
title-too-many-requests = Too many attempts
title-unavailable = Temporarily unavailable
title-internal = System error

# Errors: details
err-unauthorized = You need to sign in, or your session has expired.
err-not-found = This could not be found.
err-invalid-input = Please correct the items listed below.
err-unavailable = The system is temporarily unavailable. Please try again in a few minutes; nothing saved is lost.
err-internal = Something went wrong. Nothing saved is lost; please try again.
err-payload-too-large = What you sent is over the limit of { $limit } bytes.
err-too-many-requests = Too many failed sign-in attempts. Please try again in { $seconds } seconds.
err-lost-race = Someone else changed this dossier just now. Please reload the page and try again.
err-csrf = The request was refused because it did not come from the portal's own form. Please reload the page and try again.
err-action-not-allowed = This action is not possible in the dossier's current status.
err-action-not-for-role = Your account may not take this action.
err-citizens-only = Only citizen and business accounts can create dossiers.
err-officials-only = Only the agency's officials can see this queue.
err-document-kind-not-for-role = Your account may not upload this kind of document.
err-upload-not-allowed = Documents cannot be uploaded in the dossier's current status.

# Field errors
field-required = Required.
field-too-long = Too long.
field-invalid-characters = Contains characters that are not allowed.
field-id-number-format = The personal ID number must have 12 digits (or 9 digits for an old identity card).
field-phone-format = Not a valid phone number (for example 0912 345 678).
field-email-format = Not a valid email address (for example name@example.vn).
field-password-too-short = The password must have at least 8 characters.
field-password-mismatch = The two passwords do not match.
field-taken = An account already uses this.
field-contact-required = Enter a phone number or an email address.
field-unknown-procedure = There is no procedure with this code.
field-unknown-agency = There is no agency with this code.
field-agency-not-for-procedure = This agency does not receive the chosen procedure.
field-delivery-choice = How to receive the result must be: online, post or in_person.
field-form-object = The form data must be a JSON object.
field-form-too-large = The form data is too large.
field-unknown-action = Unknown action.
field-not-a-result-document = Must be a result document uploaded to this dossier.
field-document-kind = The document kind must be: required, supplement or result.
field-file-empty = The file is empty.
field-file-type = Only PDF, JPEG or PNG files are accepted (checked by content, not by name).
field-json-content-type = The body must be JSON (Content-Type: application/json).
field-json-type = Wrong type
field-json-syntax = Malformed JSON
field-integer-range = Must be a whole number within the allowed range.
field-level-choice = The level must be: ministry, province, commune or other.
field-online-choice = The online level must be: full, partial or offline.
field-multipart-format = The upload form is malformed.
field-status-choice = Unknown status.
field-idempotency-key-format = The Idempotency-Key must have 1 to 255 characters.
field-idempotency-key-reused = This Idempotency-Key was already used for a different request.
