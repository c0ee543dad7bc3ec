package cms_test

import (
	"encoding/json"
	"testing"

	"github.com/tlhpf/cms/cms"
)

func TestCoordinatesField(t *testing.T) {
	t.Parallel()
	runFieldCases(t, cms.FieldSpec{Kind: cms.KindCoordinates}, []fieldCase{
		{name: "JSON numbers", in: map[string]any{"lat": json.Number("30.94"), "lng": json.Number("117.81")},
			want: map[string]any{"lat": 30.94, "lng": 117.81}},
		{name: "floats at the edges", in: map[string]any{"lat": -90.0, "lng": 180.0}, want: map[string]any{"lat": -90.0, "lng": 180.0}},
		{name: "latitude out of range", in: map[string]any{"lat": 91.0, "lng": 0.0}, err: `must be {"lat": -90..90, "lng": -180..180}`},
		{name: "missing longitude", in: map[string]any{"lat": 30.0}, err: "must be {"},
		{name: "extra key", in: map[string]any{"lat": 30.0, "lng": 117.0, "alt": 1.0}, err: "must be {"},
		{name: "strings", in: map[string]any{"lat": "30", "lng": "117"}, err: "must be {"},
		{name: "text", in: "30,117", err: "must be {"},
	})
}
