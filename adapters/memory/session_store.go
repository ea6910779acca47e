package memory

import (
	"context"
	"sync"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// SessionStore keeps sessions in a map.
type SessionStore struct {
	mu       sync.Mutex
	sessions map[string]domain.Session
}

var _ ports.SessionStore = (*SessionStore)(nil)

// NewSessionStore returns an empty store.
func NewSessionStore() *SessionStore {
	return &SessionStore{sessions: map[string]domain.Session{}}
}

// CreateSession stores a session.
func (s *SessionStore) CreateSession(ctx context.Context, sess domain.Session) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.sessions[sess.TokenHash]; ok {
		return domain.Errorf(domain.ECONFLICT, "session exists already")
	}
	s.sessions[sess.TokenHash] = sess
	return nil
}

// Session returns a session.
func (s *SessionStore) Session(ctx context.Context, hash string) (domain.Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.sessions[hash]
	if !ok {
		return domain.Session{}, domain.Errorf(domain.ENOTFOUND, "session not found")
	}
	return sess, nil
}

// DeleteSession removes a session.
func (s *SessionStore) DeleteSession(ctx context.Context, hash string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.sessions, hash)
	return nil
}

// DeleteExpiredSessions removes sessions expired at now.
func (s *SessionStore) DeleteExpiredSessions(ctx context.Context, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for h, sess := range s.sessions {
		if sess.Expired(now) {
			delete(s.sessions, h)
		}
	}
	return nil
}
