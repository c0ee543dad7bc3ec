// Package archive writes and checks the auditors' archive: a BagIt package
// (RFC 8493) in a ZIP file holding every item published in a period, with
// the full content of its revisions, its approval trail, a printable
// approval form (信息发布审批表) for each revision that went live, the files
// attached to them and the segment of the hash-chained audit log written in
// the period.
//
// The bag has one top directory, named by [Name]:
//
//	bagit.txt
//	bag-info.txt                        period, organisation, Payload-Oxum, audit chain ends
//	manifest-sha256.txt                 every payload file
//	tagmanifest-sha256.txt              the three tag files above
//	data/items/<id>/item.json
//	data/items/<id>/revisions/<n>.json  content, state, hashes, attachment metadata
//	data/items/<id>/history.json        every transition with its actor
//	data/items/<id>/approval-<n>.html   one per revision that was published
//	data/attachments/<sha256>           each distinct file once
//	data/audit/audit-log.jsonl          the audit entries of the period
//
// The history of an item is recorded up to the end of the period, so that
// exporting the same period again later gives the same record; states and
// the item's head are as they stand when the bag is made.
//
// [Export] streams: files are written to the ZIP as they are produced and
// hashed on the way, one item and one blob buffer at a time, and only the
// manifest lines are kept until the end. [Verify] reads a bag back and
// reports every problem it finds.
package archive
