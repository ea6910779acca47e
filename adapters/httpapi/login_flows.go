package httpapi

import (
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/photosync/photosync/adapters/jsonview"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// loginFlowView is a Nextcloud sign-in as the API shows it: never with its
// poll token. Account is there once the state is "done".
type loginFlowView struct {
	ID        string            `json:"id"`
	State     string            `json:"state"`
	LoginURL  string            `json:"login_url"`
	ExpiresAt time.Time         `json:"expires_at"`
	Account   *jsonview.Account `json:"account,omitempty"`
}

func fromLoginFlow(f domain.LoginFlow) loginFlowView {
	v := loginFlowView{ID: f.ID, State: string(f.State), LoginURL: f.Start.LoginURL, ExpiresAt: f.ExpiresAt.UTC()}
	if f.State == domain.LoginDone {
		a := jsonview.FromAccount(f.Account)
		v.Account = &a
	}
	return v
}

// handleLoginFlowStart starts a Nextcloud Login Flow v2 sign-in:
// POST /api/v1/login-flows with
//
//	{"url": "cloud.example.com", "name": "Cloud", "ca_cert": "-----BEGIN...", "timeout": 60}
//
// (only url is required; the others are the new account's settings). It
// answers 201 {"id", "state": "pending", "login_url", "expires_at"}: the
// person opens login_url in a browser, signs in there and grants access,
// while the client polls GET /api/v1/login-flows/{id}.
func handleLoginFlowStart(flows *app.LoginFlows) echo.HandlerFunc {
	type request struct {
		URL     string  `json:"url"`
		Name    *string `json:"name"`
		CACert  *string `json:"ca_cert"`
		Timeout *int64  `json:"timeout"`
	}
	return func(c echo.Context) error {
		var body request
		if err := decode(c, &body); err != nil {
			return err
		}
		// The account's fields are checked as jsonview checks them.
		in, err := jsonview.AccountInput{Timeout: body.Timeout}.Input()
		if err != nil {
			return err
		}
		f, err := flows.Start(c.Request().Context(), app.LoginFlowInput{URL: body.URL, Name: body.Name, CACert: body.CACert, Timeout: in.Timeout})
		if err != nil {
			return err
		}
		c.Response().Header().Set("Location", "/api/v1/login-flows/"+url.PathEscape(f.ID))
		return c.JSON(http.StatusCreated, fromLoginFlow(f))
	}
}

// handleLoginFlowGet polls a sign-in: 200 {"state": "pending", ...} until
// the person has granted access, then {"state": "done", "account": {...}}
// with the connected account. A grant whose account cannot be connected
// answers that error (a name taken, the server refusing the app password);
// a sign-in that expired (20 minutes after its start) or is unknown answers
// 404 ENOTFOUND "the sign-in expired; start again". When Nextcloud cannot
// be reached the error is 502 and the sign-in stays pending: poll again.
func handleLoginFlowGet(flows *app.LoginFlows) echo.HandlerFunc {
	return func(c echo.Context) error {
		f, err := flows.Poll(c.Request().Context(), c.Param("id"))
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, fromLoginFlow(f))
	}
}
