package api

// SetObserver replaces the server's observer, so that a benchmark can
// compare the hot path with and without metrics in one run.
func SetObserver(s *Server, o Observer) {
	s.opts.Observer = o
	s.bindHits()
}
