package cms

import "context"

// StructureService reads departments, channels, menus and columns for
// signed-in staff.
type StructureService struct {
	Structure  StructureStore
	Authorizer Authorizer
}

// Departments lists the departments in annex order.
func (s *StructureService) Departments(ctx context.Context, p *Principal) ([]Department, error) {
	if err := authorize(ctx, s.Authorizer, p, ActStructureRead, Resource{}); err != nil {
		return nil, err
	}
	return s.Structure.Departments(ctx)
}

// Channels lists the client channels.
func (s *StructureService) Channels(ctx context.Context, p *Principal) ([]Channel, error) {
	if err := authorize(ctx, s.Authorizer, p, ActStructureRead, Resource{}); err != nil {
		return nil, err
	}
	return s.Structure.Channels(ctx)
}

// Menu returns the roots of a channel's menu tree.
func (s *StructureService) Menu(ctx context.Context, p *Principal, channel string) ([]*MenuEntry, error) {
	if err := authorize(ctx, s.Authorizer, p, ActStructureRead, Resource{}); err != nil {
		return nil, err
	}
	entries, err := s.Structure.Menu(ctx, channel)
	if err != nil {
		return nil, err
	}
	return BuildMenuTree(entries), nil
}

// Columns lists every column in annex order.
func (s *StructureService) Columns(ctx context.Context, p *Principal) ([]Column, error) {
	if err := authorize(ctx, s.Authorizer, p, ActStructureRead, Resource{}); err != nil {
		return nil, err
	}
	return s.Structure.Columns(ctx)
}

// Column returns one column with its owners.
func (s *StructureService) Column(ctx context.Context, p *Principal, slug string) (*Column, error) {
	if err := authorize(ctx, s.Authorizer, p, ActStructureRead, Resource{}); err != nil {
		return nil, err
	}
	return s.Structure.Column(ctx, slug)
}

// ContentTypes describes every content type and its fields.
func (s *StructureService) ContentTypes(ctx context.Context, p *Principal) ([]*ContentType, error) {
	if err := authorize(ctx, s.Authorizer, p, ActStructureRead, Resource{}); err != nil {
		return nil, err
	}
	return ContentTypes(), nil
}
