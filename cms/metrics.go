package cms

import (
	"context"
	"time"
)

// Metrics counts what the services do, for the operators' metrics. The
// composition root plugs in an adapter (Prometheus); a service without
// one counts nothing. Every argument takes few values (an event, a
// reason, a kind), never an id or anything a client typed, so that the
// series stay bounded.
type Metrics interface {
	// Transition counts a transition applied to a revision.
	Transition(ev Event)
	// LoginFailed counts a refused login or password check, by reason.
	LoginFailed(reason LoginFailure)
	// Lockout counts an account locked after too many failed checks.
	Lockout()
	// Patrol counts a patrol run (failed: it did not finish) and the
	// problems it found.
	Patrol(trigger string, problems []PatrolProblem, failed bool)
	// Delivery counts an attempt to carry an event out: a webhook
	// request, an e-mail or a robot message, and how long it took.
	Delivery(channel string, ok bool, took time.Duration)
}

// LoginFailure says why a login or a password check was refused.
type LoginFailure string

// Reasons a login is refused.
const (
	LoginUnknownUser     LoginFailure = "unknown_user"
	LoginWrongPassword   LoginFailure = "wrong_password"
	LoginDisabled        LoginFailure = "disabled"
	LoginWrongCode       LoginFailure = "wrong_code"
	LoginLocked          LoginFailure = "locked"
	LoginBusy            LoginFailure = "busy"      // the account's allowance is being checked
	LoginThrottled       LoginFailure = "throttled" // over the per-address or per-username rate
	LoginWrongCurrentPwd LoginFailure = "wrong_current_password"
)

// Delivery channels, as Metrics.Delivery names them.
const DeliveryWebhook = "webhook"

// metricsOf returns m, or one that counts nothing.
func metricsOf(m Metrics) Metrics {
	if m == nil {
		return noMetrics{}
	}
	return m
}

type noMetrics struct{}

func (noMetrics) Transition(Event)                     {}
func (noMetrics) LoginFailed(LoginFailure)             {}
func (noMetrics) Lockout()                             {}
func (noMetrics) Patrol(string, []PatrolProblem, bool) {}
func (noMetrics) Delivery(string, bool, time.Duration) {}

// Backlog is what waits, read when the metrics are scraped: revisions per
// review stage and how many passed their time limit, events not yet
// dispatched, webhook deliveries and messages not yet sent.
type Backlog struct {
	Stages []StageBacklog
	// Events is the number of outbox events the dispatcher has not handled.
	Events int
	// Deliveries are the webhook deliveries waiting for an attempt, and
	// OldestDelivery when the oldest of them was created (zero: none).
	Deliveries     int
	OldestDelivery time.Time
	// Messages are the e-mails and robot messages waiting, by channel.
	Messages map[MessageChannel]int
}

// StageBacklog is one stage's share of the backlog.
type StageBacklog struct {
	State   State
	Waiting int
	// Overdue are those in the stage longer than its time limit
	// (办结时限); zero for a stage without one.
	Overdue int
}

// BacklogStore counts what waits. overdueBefore gives, per stage with a
// time limit, the time before which a revision's entry into the stage
// makes it overdue.
type BacklogStore interface {
	Backlog(ctx context.Context, stages []State, overdueBefore map[State]time.Time) (Backlog, error)
}

// BacklogStages are the stages whose backlog the metrics show.
var BacklogStages = []State{StateDeptReview, StateLeadershipSignoff, StateSecrecyReview, StateScheduled}

// Backlog counts what waits now, with the stage limits of the workflow.
// It is for the operators' metrics, which need no principal: it tells
// how many, never what.
func (s *WorkflowService) Backlog(ctx context.Context, store BacklogStore) (Backlog, error) {
	now := s.Clock.Now()
	before := make(map[State]time.Time, len(s.Limits))
	for st, limit := range s.Limits {
		if limit > 0 {
			before[st] = now.Add(-limit)
		}
	}
	return store.Backlog(ctx, BacklogStages, before)
}

// PoolStats describe the database's connection pool (database/sql's
// DBStats, in the domain's terms).
type PoolStats struct {
	MaxOpen, Open, InUse, Idle int
	// WaitCount and WaitDuration: connections waited for, and how long.
	WaitCount    int64
	WaitDuration time.Duration
	// Connections closed for being idle too many, idle too long, or too old.
	MaxIdleClosed, MaxIdleTimeClosed, MaxLifetimeClosed int64
}
