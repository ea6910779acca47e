package davtest

import (
	"math"
	"net/http"
	"strings"
)

// ocsCurrentUser answers cloud/user: the logged-in user's details, with
// the fields and order of Nextcloud 30 for a user who is not an admin.
func (n *Nextcloud) ocsCurrentUser(_ *http.Request, userID string) (any, int, string) {
	used := n.files.treeSize("")
	const free = 100 << 30
	total := used + free
	relative := math.Round(float64(used)*10000/float64(total)) / 100
	email := ""
	if strings.Contains(n.LoginName, "@") {
		email = n.LoginName
	}
	scoped := func(key, value, scope string) ocsObject {
		return ocsObject{{key, value}, {key + "Scope", scope}}
	}
	data := ocsObject{
		{"id", userID},
		{"lastLogin", n.files.epoch * 1000},
		{"backend", "Database"},
		{"subadmin", ocsObject{}},
		{"quota", ocsObject{{"free", free}, {"used", used}, {"total", total}, {"relative", relative}, {"quota", -3}}},
		{"manager", ""},
		{"avatarScope", "v2-federated"},
		{"email", email},
		{"emailScope", "v2-federated"},
		{"additional_mail", ocsObject{}},
		{"additional_mailScope", ocsObject{}},
		{"displayname", n.DisplayName},
		{"display-name", n.DisplayName},
		{"displaynameScope", "v2-federated"},
	}
	for _, p := range []string{"phone", "address", "website", "twitter", "fediverse", "organisation", "role", "headline", "biography"} {
		data = append(data, scoped(p, "", "v2-local")...)
	}
	data = append(data, scoped("profile_enabled", "1", "v2-local")...)
	data = append(data,
		ocsField{"groups", ocsObject{}},
		ocsField{"language", "en"},
		ocsField{"locale", ""},
		ocsField{"notify_email", nil},
		ocsField{"backendCapabilities", ocsObject{{"setDisplayName", true}, {"setPassword", true}}},
	)
	return data, ocsOK, ""
}
