package console

import "net/http"

// handleHome is 工作台.
func (c *Console) handleHome(w http.ResponseWriter, r *http.Request, u *user) error {
	return c.page(w, r, u, http.StatusOK, "home", view{Title: "工作台", Active: "home"})
}
