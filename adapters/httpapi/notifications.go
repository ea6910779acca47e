package httpapi

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// notificationTarget is a target as the API shows it: redacted, never
// the URL (it may hold a token or a password).
type notificationTarget struct {
	ID      *int   `json:"id"` // for DELETE; null for one of PHOTOSYNC_NOTIFY_URL
	Target  string `json:"target"`
	FromEnv bool   `json:"from_env"`
}

// handleNotificationList answers GET /api/v1/settings/notifications:
// {"targets": [{"id", "target", "from_env"}]}.
func handleNotificationList(al *app.Alerter) echo.HandlerFunc {
	return func(c echo.Context) error {
		ts, err := al.Targets(c.Request().Context())
		if err != nil {
			return err
		}
		out := make([]notificationTarget, 0, len(ts))
		for _, t := range ts {
			nt := notificationTarget{Target: t.Shown, FromEnv: t.FromEnv}
			if !t.FromEnv {
				i := t.Index
				nt.ID = &i
			}
			out = append(out, nt)
		}
		return c.JSON(http.StatusOK, map[string]any{"targets": out})
	}
}

// handleNotificationAdd adds a target: POST /api/v1/settings/notifications
// with {"url": "ntfy://ntfy.sh/my-topic"}; 201, 400 for a URL no service
// takes, 409 for one set already.
func handleNotificationAdd(al *app.Alerter) echo.HandlerFunc {
	type request struct {
		URL string `json:"url"`
	}
	return func(c echo.Context) error {
		var body request
		if err := decode(c, &body); err != nil {
			return err
		}
		if err := al.AddTarget(c.Request().Context(), body.URL); err != nil {
			return err
		}
		return c.JSON(http.StatusCreated, map[string]string{"target": domain.RedactTarget(body.URL)})
	}
}

// handleNotificationDelete removes a target set in the UI: DELETE
// /api/v1/settings/notifications/{id}; 204.
func handleNotificationDelete(al *app.Alerter) echo.HandlerFunc {
	return func(c echo.Context) error {
		i, err := strconv.Atoi(c.Param("id"))
		if err != nil {
			return domain.Errorf(domain.EINVALID, "id: %q is not a target's id", c.Param("id"))
		}
		if err := al.RemoveTarget(c.Request().Context(), i); err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	}
}

// handleNotificationTest sends a test alert to every target: POST
// /api/v1/settings/notifications/test; {"sent": N, "failed": ["why"]}.
func handleNotificationTest(al *app.Alerter) echo.HandlerFunc {
	return func(c echo.Context) error {
		sent, failed, err := al.Test(c.Request().Context())
		if err != nil {
			return err
		}
		msgs := make([]string, 0, len(failed))
		for _, f := range failed {
			msgs = append(msgs, domain.ErrorMessage(f))
		}
		return c.JSON(http.StatusOK, map[string]any{"sent": sent, "failed": msgs})
	}
}
