package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/photosync/photosync/adapters/jsonview"
	"github.com/photosync/photosync/app"
)

func handleAccountList(accounts *app.Accounts) echo.HandlerFunc {
	type response struct {
		Accounts []jsonview.Account `json:"accounts"`
	}
	return func(c echo.Context) error {
		all, err := accounts.Accounts(c.Request().Context())
		if err != nil {
			return err
		}
		out := response{Accounts: make([]jsonview.Account, 0, len(all))}
		for _, a := range all {
			out.Accounts = append(out.Accounts, jsonview.FromAccount(a))
		}
		return c.JSON(http.StatusOK, out)
	}
}

func handleAccountCreate(accounts *app.Accounts) echo.HandlerFunc {
	return func(c echo.Context) error {
		var body jsonview.AccountInput
		if err := decode(c, &body); err != nil {
			return err
		}
		in, err := body.Input()
		if err != nil {
			return err
		}
		a, err := accounts.Connect(c.Request().Context(), in)
		if err != nil {
			return err
		}
		c.Response().Header().Set("Location", c.Echo().Reverse("account", a.ID))
		return c.JSON(http.StatusCreated, jsonview.FromAccount(a))
	}
}

func handleAccountGet(accounts *app.Accounts) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		a, err := accounts.Account(c.Request().Context(), id)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, jsonview.FromAccount(a))
	}
}

func handleAccountUpdate(accounts *app.Accounts) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		var body jsonview.AccountInput
		if err := decode(c, &body); err != nil {
			return err
		}
		in, err := body.Input()
		if err != nil {
			return err
		}
		a, err := accounts.Update(c.Request().Context(), id, in)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, jsonview.FromAccount(a))
	}
}

// handleAccountDelete removes an account once its running jobs (a sync,
// an upload) have stopped: nothing of it talks to its server after the
// answer.
func handleAccountDelete(accounts *app.Accounts, jobs *app.Jobs) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		if _, err := accounts.Account(c.Request().Context(), id); err != nil {
			return err
		}
		if jobs != nil {
			if err := jobs.CancelAccount(c.Request().Context(), id); err != nil {
				return err
			}
		}
		if err := accounts.Remove(c.Request().Context(), id); err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	}
}

// handleAccountTest connects to the server now. It answers the account
// with its updated status, or the server's error.
func handleAccountTest(accounts *app.Accounts) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		a, err := accounts.Test(c.Request().Context(), id)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, jsonview.FromAccount(a))
	}
}
