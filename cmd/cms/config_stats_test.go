package main

import (
	"testing"
	"time"
)

// TestStatsConfig: the statistics' switch, flush interval and retention
// are read, defaulted and refused when they make no sense.
func TestStatsConfig(t *testing.T) {
	for name, vars := range map[string]map[string]string{
		"bad switch":          {"CMS_STATS": "sometimes"},
		"flush too often":     {"CMS_STATS_FLUSH": "10ms"},
		"flush too rarely":    {"CMS_STATS_FLUSH": "2h"},
		"flush not duration":  {"CMS_STATS_FLUSH": "often"},
		"retention too short": {"CMS_STATS_RETENTION": "12h"},
		"retention no days":   {"CMS_STATS_RETENTION": "xd"},
		"retention nonsense":  {"CMS_STATS_RETENTION": "a year"},
	} {
		if _, err := loadConfig(func(k string) string { return vars[k] }); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	c, err := loadConfig(func(string) string { return "" })
	if err != nil || c.StatsOff || c.StatsFlush != time.Minute || c.StatsRetention != 400*24*time.Hour {
		t.Errorf("defaults: off %v, flush %v, retention %v, %v", c.StatsOff, c.StatsFlush, c.StatsRetention, err)
	}
	vars := map[string]string{"CMS_STATS": "false", "CMS_STATS_FLUSH": "30s", "CMS_STATS_RETENTION": "90d"}
	c, err = loadConfig(func(k string) string { return vars[k] })
	if err != nil || !c.StatsOff || c.StatsFlush != 30*time.Second || c.StatsRetention != 90*24*time.Hour {
		t.Errorf("set: off %v, flush %v, retention %v, %v", c.StatsOff, c.StatsFlush, c.StatsRetention, err)
	}
	c, err = loadConfig(func(k string) string { return map[string]string{"CMS_STATS_RETENTION": "720h"}[k] })
	if err != nil || c.StatsRetention != 30*24*time.Hour {
		t.Errorf("retention as a duration: %v %v", c.StatsRetention, err)
	}
}
