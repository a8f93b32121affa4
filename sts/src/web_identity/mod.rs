//! Web-identity token verification (in progress).
