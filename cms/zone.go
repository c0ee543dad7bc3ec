package cms

import "time"

// China is the centre's time zone (Asia/Shanghai): the dates people read,
// archive periods and approval forms use it. China has kept UTC+8 without
// daylight saving since 1991, so a fixed zone needs no tz database.
var China = time.FixedZone("CST", 8*3600)
