package cms

import "encoding/json"

// KindCoordinates is a position as {"lat", "lng"} in degrees.
const KindCoordinates FieldKind = "coordinates"

// coordinatesField is where an outlet is, for the clients' maps.
type coordinatesField struct{ servedAsStored }

func (coordinatesField) normalize(_ *FieldSpec, path string, v any, fe *FieldErrors) any {
	m, ok := v.(map[string]any)
	lat, okLat := number(m["lat"])
	lng, okLng := number(m["lng"])
	if !ok || len(m) != 2 || !okLat || !okLng || lat < -90 || lat > 90 || lng < -180 || lng > 180 {
		fe.Add(path, `must be {"lat": -90..90, "lng": -180..180}`)
		return nil
	}
	return map[string]any{"lat": lat, "lng": lng}
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case float64:
		return x, true
	}
	return 0, false
}
