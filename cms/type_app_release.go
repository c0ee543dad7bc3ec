package cms

// TypeAppRelease is a release of the mobile App (App版本), read by the
// App's update check.
const TypeAppRelease = "app_release"

func init() {
	register(&ContentType{
		Name: TypeAppRelease, Label: "App版本", BodyLabel: "更新说明",
		Fields: []FieldSpec{
			{Name: "platform", Label: "平台", Kind: KindEnum, Required: true, Options: []string{"android", "ios"}},
			{Name: "version", Label: "版本号", Kind: KindVersion, Required: true},
			{Name: "min_supported_version", Label: "最低支持版本", Kind: KindVersion, Required: true},
			{Name: "notes", Label: "更新说明", Kind: KindText, Required: true, MaxLen: 10_000},
			{Name: "download_url", Label: "下载地址", Kind: KindURL, Required: true},
			{Name: "released_on", Label: "发布日期", Kind: KindDate},
		},
		Summary: []string{"platform", "version", "min_supported_version", "released_on"},
		Search:  []string{"notes"},
	})
}
