package cms

import (
	"errors"
	"fmt"
	"time"
)

// Error codes are the stable machine words of the error vocabulary. The api
// package maps each to one HTTP status; clients match on them.
const (
	EINVALID      = "validation_failed"
	EBADREQUEST   = "bad_request"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	ETRANSITION   = "invalid_transition"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	EPRECONDITION = "precondition_failed"
	EPRECONDREQ   = "precondition_required"
	ELOCKED       = "account_locked"
	ETHROTTLED    = "rate_limited"
	EBUSY         = "busy"
	EPWEXPIRED    = "password_expired"
	EOTPREQUIRED  = "otp_required"
	EOTPINVALID   = "otp_invalid"
	EOTPENROL     = "otp_enrolment_required"
	EGONE         = "gone"
	ETOOLARGE     = "payload_too_large"
	EUNSUPPORTED  = "unsupported_media_type"
	EUNAVAILABLE  = "unavailable"
	EINTERNAL     = "internal"
	// EDBDOWN: the database does not answer (refused, reset, shutting
	// down, or no connection free within the database timeout). Retry.
	EDBDOWN = "database_unavailable"
	// ENOSPACE: the disk or quota under the database or the blob folder is
	// full. Nothing was half written; retry once space is freed.
	ENOSPACE = "insufficient_storage"
	// EBLOBDOWN: the object store does not answer, times out or fails on
	// its side. Retry.
	EBLOBDOWN = "blob_store_unavailable"
)

// FieldError names one invalid field of a request and why it is invalid.
type FieldError struct {
	Field   string
	Message string
}

// Error is the domain error: a code from the vocabulary above, a message fit
// for the person who made the request, and, for validation, the fields at fault.
type Error struct {
	Code       string
	Message    string
	Fields     []FieldError
	RetryAfter time.Duration // how long to wait before retrying (ELOCKED, ETHROTTLED, EBUSY, EDBDOWN, EBLOBDOWN)
	// Err is the cause, kept for the log: the message is what the client
	// is told, Err what the operator needs.
	Err error
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Fault reports whether code names a fault of the infrastructure (the
// database, the disk, the object store) rather than of the request: the
// request may succeed unchanged once the fault is gone.
func Fault(code string) bool {
	return code == EDBDOWN || code == ENOSPACE || code == EBLOBDOWN
}

func (e *Error) Error() string {
	if len(e.Fields) > 0 {
		return fmt.Sprintf("%s: %s (%d invalid fields)", e.Code, e.Message, len(e.Fields))
	}
	return e.Code + ": " + e.Message
}

// Is reports whether target is an *Error with the same code, so that
// errors.Is(err, cms.ErrNotFound) works for any not-found error.
func (e *Error) Is(target error) bool {
	var t *Error
	if !errors.As(target, &t) {
		return false
	}
	return t.Code == e.Code
}

// Sentinel errors for errors.Is; they match any Error with the same code.
var (
	ErrNotFound     = &Error{Code: ENOTFOUND}
	ErrConflict     = &Error{Code: ECONFLICT}
	ErrForbidden    = &Error{Code: EFORBIDDEN}
	ErrInvalid      = &Error{Code: EINVALID}
	ErrUnauthorized = &Error{Code: EUNAUTHORIZED}
)

// Errorf returns an Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns a validation error naming the fields at fault.
func Invalid(message string, fields ...FieldError) *Error {
	return &Error{Code: EINVALID, Message: message, Fields: fields}
}

// ErrorCode returns the code of err, EINTERNAL for errors outside the vocabulary
// and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// FieldErrors collects field errors while validating input.
type FieldErrors []FieldError

// Add records that field is invalid.
func (fe *FieldErrors) Add(field, format string, args ...any) {
	*fe = append(*fe, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Err returns a validation error when any field was recorded, nil otherwise.
func (fe FieldErrors) Err(message string) error {
	if len(fe) == 0 {
		return nil
	}
	return Invalid(message, fe...)
}
