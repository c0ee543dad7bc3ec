// Package console is the staff console: server-rendered pages in
// Simplified Chinese where the centre's editors, reviewers and leaders do
// their work, served by the same binary under /console/.
//
// It is a delivery adapter like package api: every page calls the cms
// services and shows only what they allow (the events a user may fire, the
// columns they may write in, the findings they may acknowledge). It holds
// no business rule and checks no permission of its own; what the console
// does, the management API can do too.
//
// The pages work without JavaScript (forms, Post/Redirect/Get with a flash
// message, inline errors); a small script only adds the live preview, the
// progress of an upload and of the archive's download, drag-and-drop
// upload and a print button.
// Sessions are cookies of their own kind (never API bearer tokens), every
// form carries a CSRF token, and the Content-Security-Policy allows no
// inline script or style. Templates, the stylesheet and the script are
// embedded, served under content-hashed names and cached for good.
package console
