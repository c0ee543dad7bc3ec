package cms

import "context"

// Action names what a caller wants to do; the authorizer decides per role,
// department and column.
type Action string

// Actions checked by the services.
const (
	ActStructureRead Action = "structure.read"
	ActUserManage    Action = "user.manage"
	ActUserUnlock    Action = "user.unlock"
	ActUserResetOTP  Action = "user.reset_otp"
	ActItemRead      Action = "item.read"
	ActItemCreate    Action = "item.create"
	ActItemEdit      Action = "item.edit"
	ActWorkflowAdmin Action = "workflow.configure"
	ActMenuManage    Action = "menu.manage"
	ActWebhookManage Action = "webhook.manage"
)

// Resource is what an action applies to: the department that owns it and,
// for authoring, the column it lives in.
type Resource struct {
	Department string
	Column     string
}

// Principal is the authenticated caller of a service.
type Principal struct {
	User      *User
	SessionID int64
	// PasswordExpired is set when the password must be changed before
	// anything else: it is too old, or an administrator chose it
	// (User.MustChangePassword).
	PasswordExpired bool
	// OTPEnrolmentRequired: the caller's roles need a second factor they
	// have not enrolled; until they do, they may only enrol.
	OTPEnrolmentRequired bool
}

// authorize returns nil when p may do act on res and a forbidden error
// otherwise. A principal whose password has expired, or was chosen by an
// administrator, may do nothing until it is changed.
func authorize(ctx context.Context, az Authorizer, p *Principal, act Action, res Resource) error {
	if p == nil || p.User == nil {
		return Errorf(EUNAUTHORIZED, "authentication required")
	}
	if p.User.MustChangePassword {
		return Errorf(EPWEXPIRED, "your password was set by an administrator and works only once; choose your own before doing anything else")
	}
	if p.PasswordExpired {
		return Errorf(EPWEXPIRED, "your password has expired; change it before doing anything else")
	}
	if p.OTPEnrolmentRequired {
		return Errorf(EOTPENROL, "your roles need a second factor; enrol one (POST /api/v1/me/otp) before doing anything else")
	}
	ok, err := az.Allowed(ctx, p.User, act, res)
	if err != nil {
		return err
	}
	if !ok {
		return Errorf(EFORBIDDEN, "%s", deniedMessage(act, res))
	}
	return nil
}

// Permission is a policy template: a role may do an action on objects of
// the departments it is held for. Object "any" means anything there;
// "column" means only in columns those departments own.
type Permission struct {
	Role   Role
	Object string
	Action Action
}

// UserBinding is a role binding of one user.
type UserBinding struct {
	UserID int64
	RoleBinding
}

// Policy is the authorization data: permission templates, who holds which
// role where, and which departments own which columns.
type Policy struct {
	Permissions []Permission
	Bindings    []UserBinding
	Ownership   [][2]string // column slug, department slug
	Departments []string
}

// guard authorizes writes and records every refusal in the audit log, so
// that attempts to act outside one's rights leave a trace.
type guard struct {
	Authorizer Authorizer
	Audit      AuditLog
	Clock      Clock
}

func (g guard) write(ctx context.Context, p *Principal, act Action, res Resource, subject string) error {
	err := authorize(ctx, g.Authorizer, p, act, res)
	if ErrorCode(err) == EFORBIDDEN {
		detail := map[string]any{"action": string(act), "department": res.Department, "column": res.Column}
		if aerr := g.Audit.Append(ctx, NewAuditEntry(g.Clock.Now(), p.User.ID, AuditPermissionDenied, subject, detail)); aerr != nil {
			return aerr
		}
	}
	return err
}

// actionWords says what an action does, for messages.
var actionWords = map[Action]string{
	ActStructureRead:   "read the structure",
	ActUserManage:      "manage users",
	ActUserUnlock:      "unlock accounts",
	ActWebhookManage:   "manage webhooks",
	ActUserResetOTP:    "reset second factors",
	ActItemRead:        "read items",
	ActItemCreate:      "create items",
	ActItemEdit:        "edit items",
	ActWorkflowAdmin:   "configure the workflow",
	ActMenuManage:      "manage menus",
	ActFindingAck:      "acknowledge secrecy findings",
	ActFindingRead:     "read the secrecy findings of released content",
	ActSensitiveWords:  "manage sensitive words",
	ActPatrol:          "run the integrity patrol",
	ActArchiveExport:   "export the archive",
	ActAuditRead:       "read the audit log",
	ActClientKeyManage: "issue or revoke client keys",
	ActClientKeyRead:   "read the client keys",
}

func deniedMessage(act Action, res Resource) string {
	what, ok := actionWords[act]
	if !ok {
		what = string(act)
	}
	msg := "you may not " + what
	if res.Column != "" {
		msg += " in column " + res.Column
	}
	if res.Department != "" {
		msg += " for department " + res.Department
	}
	return msg
}
