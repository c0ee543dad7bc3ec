// Package workflow is the approval state machine of revisions, built with
// looplab/fsm: draft → dept_review → leadership_signoff → secrecy_review →
// scheduled → published, with rejection, withdrawal, suspension, restoration
// and archiving. It implements the cms workflow port and knows nothing of
// HTTP or SQL.
package workflow
