package webdav

// UploadBound answers the client's current bound on uploads in flight.
func (c *Client) UploadBound() int { return c.gate.bound() }
