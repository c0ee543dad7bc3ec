package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/tlhpf/cms/cms"
)

// problem is an RFC 9457 problem details body with a stable machine code
// (openapi.yaml lists them under the Problem schema).
type problem struct {
	Type      string         `json:"type"`
	Title     string         `json:"title"`
	Status    int            `json:"status"`
	Detail    string         `json:"detail"`
	Code      string         `json:"code"`
	Errors    []fieldProblem `json:"errors,omitempty"`
	RequestID string         `json:"request_id,omitempty"`
}

type fieldProblem struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// statusOf maps each code of the cms error vocabulary to its HTTP status, in one place.
var statusOf = map[string]int{
	cms.EBADREQUEST:   http.StatusBadRequest,
	cms.EINVALID:      http.StatusUnprocessableEntity,
	cms.ENOTFOUND:     http.StatusNotFound,
	cms.ECONFLICT:     http.StatusConflict,
	cms.ETRANSITION:   http.StatusConflict,
	cms.EUNAUTHORIZED: http.StatusUnauthorized,
	cms.EFORBIDDEN:    http.StatusForbidden,
	cms.EPWEXPIRED:    http.StatusForbidden,
	cms.EOTPREQUIRED:  http.StatusUnauthorized,
	cms.EOTPINVALID:   http.StatusUnauthorized,
	cms.EOTPENROL:     http.StatusForbidden,
	cms.EPRECONDITION: http.StatusPreconditionFailed,
	cms.EPRECONDREQ:   http.StatusPreconditionRequired,
	cms.ELOCKED:       http.StatusTooManyRequests,
	cms.ETHROTTLED:    http.StatusTooManyRequests,
	cms.EBUSY:         http.StatusServiceUnavailable,
	cms.EGONE:         http.StatusGone,
	cms.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	cms.EUNSUPPORTED:  http.StatusUnsupportedMediaType,
	cms.EUNAVAILABLE:  http.StatusServiceUnavailable,
	cms.EINTERNAL:     http.StatusInternalServerError,
	cms.EDBDOWN:       http.StatusServiceUnavailable,
	cms.EBLOBDOWN:     http.StatusServiceUnavailable,
	cms.ENOSPACE:      http.StatusInsufficientStorage,
}

// codeOfStatus names the problems echo itself raises (routing, body limit).
var codeOfStatus = map[int]string{
	http.StatusBadRequest:                   cms.EBADREQUEST,
	http.StatusUnauthorized:                 cms.EUNAUTHORIZED,
	http.StatusForbidden:                    cms.EFORBIDDEN,
	http.StatusNotFound:                     cms.ENOTFOUND,
	http.StatusMethodNotAllowed:             "method_not_allowed",
	http.StatusRequestTimeout:               "request_timeout",
	http.StatusRequestEntityTooLarge:        "payload_too_large",
	http.StatusUnsupportedMediaType:         "unsupported_media_type",
	http.StatusRequestedRangeNotSatisfiable: "range_not_satisfiable",
	http.StatusTooManyRequests:              "rate_limited",
	http.StatusServiceUnavailable:           "unavailable",
}

// errorHandler writes every error as problem details. Domain errors carry
// their own message; anything else is a 500 whose cause goes to the log only.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	if errors.Is(err, context.Canceled) {
		// The client went away; there is nobody to answer and nothing wrong.
		c.Response().Status = 499
		return
	}
	p := problem{Type: "about:blank", RequestID: c.Response().Header().Get(echo.HeaderXRequestID)}
	var de *cms.Error
	var he *echo.HTTPError
	if !errors.As(err, &he) {
		// A fault that reached here unnamed says what it is; echo's own
		// errors (about the request) are left as they are.
		err = s.classify(err)
	}
	switch {
	case errors.As(err, &de):
		p.Code, p.Detail = de.Code, de.Message
		p.Status = statusOf[de.Code]
		for _, f := range de.Fields {
			p.Errors = append(p.Errors, fieldProblem{Field: f.Field, Message: f.Message})
		}
		if de.RetryAfter > 0 {
			c.Response().Header().Set("Retry-After", strconv.Itoa(int(de.RetryAfter.Seconds())+1))
		}
		if cms.Fault(de.Code) {
			s.faults.log(c.Request().Context(), s.log, de, slog.String("method", c.Request().Method), slog.String("path", c.Path()))
		}
	case errors.As(err, &he):
		p.Status = he.Code
		p.Code = codeOfStatus[he.Code]
		if msg, ok := he.Message.(string); ok {
			p.Detail = msg
		}
	}
	if p.Status == 0 || p.Status == http.StatusInternalServerError {
		// The cause stays in the log; the client learns only that it was ours.
		s.log.ErrorContext(c.Request().Context(), "request failed", slog.String("request_id", p.RequestID),
			slog.String("method", c.Request().Method), slog.String("path", c.Path()), slog.Any("error", err))
		p.Status = http.StatusInternalServerError
		p.Code, p.Detail = cms.EINTERNAL, "something went wrong on our side; the request id identifies it in our logs"
	}
	if p.Code == "" {
		p.Code = "error"
	}
	p.Title = http.StatusText(p.Status)
	if p.Detail == "" {
		p.Detail = p.Title
	}
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	c.Response().WriteHeader(p.Status)
	if c.Request().Method == http.MethodHead {
		return
	}
	_ = writeJSONBody(c.Response(), p)
}
