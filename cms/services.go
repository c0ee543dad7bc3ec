package cms

// Services are the use cases of the CMS, built complete by the composition
// root (package app) and called by every delivery adapter: the HTTP API,
// the staff console and the command line.
type Services struct {
	Auth      *AuthService
	Users     *UserService
	Structure *StructureService
	Items     *ItemService
	Workflow  *WorkflowService
	Content   *ContentService
	Menus     *MenuService
	Media     *MediaService
	Patrol    *PatrolService
	Integrity *IntegrityService
	Secrecy   *SecrecyService
	Archive   *ArchiveService
	// Webhooks, Notifications and Dispatch tell people and systems of
	// what the outbox records.
	Webhooks      *WebhookService
	Notifications *NotificationService
	Dispatch      *DispatchService
	Audit         *AuditService
	// ClientKeys are the content API's client keys.
	ClientKeys *ClientKeyService
	// Reports counts the public's reads and makes the usage and workflow
	// reports (运营分析).
	Reports *ReportService
	// FeatureRequests are the departments' suggestions for the channels'
	// functions (第十六条).
	FeatureRequests *FeatureRequestService
	// Bus carries in-process notices of change from the services that
	// make them to the adapters and workers that react.
	Bus *Bus
}
