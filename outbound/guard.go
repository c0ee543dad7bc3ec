package outbound

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"syscall"
	"time"
)

// refusedPrefixes are networks a webhook may not reach beside what netip
// classifies as loopback, private, link-local, multicast or unspecified:
// shared address space (CGNAT), the IETF protocol assignments, benchmark
// and documentation networks, reserved space, and the IPv6 ranges that
// embed IPv4 addresses (checked again on the embedded address).
var refusedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("100::/64"),
}

// ErrRefusedNetwork is the error of a connection to a refused address.
var ErrRefusedNetwork = errors.New("refused network")

// Refused reports whether ip is on a network webhooks may not reach.
func Refused(ip netip.Addr) bool {
	ip = ip.Unmap()
	if ip.Is6() {
		// NAT64 (64:ff9b::/96) and 6to4 (2002::/16) carry an IPv4 address.
		b := ip.As16()
		switch {
		case netip.MustParsePrefix("64:ff9b::/96").Contains(ip):
			return Refused(netip.AddrFrom4([4]byte(b[12:16])))
		case netip.MustParsePrefix("2002::/16").Contains(ip):
			return Refused(netip.AddrFrom4([4]byte(b[2:6])))
		}
	}
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return true
	}
	if ip.Is4() && ip == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
		return true
	}
	for _, p := range refusedPrefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// guard checks addresses unless private ones are allowed.
type guard struct{ allowPrivate bool }

// control runs when a connection's address is known, after resolution and
// before connecting: the check that DNS rebinding cannot get around.
func (g guard) control(_, address string, _ syscall.RawConn) error {
	if g.allowPrivate {
		return nil
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: cannot read the address %q", ErrRefusedNetwork, address)
	}
	if Refused(ap.Addr()) {
		return fmt.Errorf("%w: %s is loopback, private or otherwise internal", ErrRefusedNetwork, ap.Addr())
	}
	return nil
}

// check refuses a URL whose host is, or resolves to, a refused address.
// It is the early check when an endpoint is registered; the dialer checks
// again at every connection.
func (g guard) check(ctx context.Context, raw string) error {
	if g.allowPrivate {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	host := u.Hostname()
	if ip, err := netip.ParseAddr(host); err == nil {
		if Refused(ip) {
			return fmt.Errorf("%s is a loopback, private or otherwise internal address; webhooks may not reach it", ip)
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(ips) == 0 {
		return fmt.Errorf("the host %s does not resolve", host)
	}
	for _, ip := range ips {
		if Refused(ip) {
			return fmt.Errorf("the host %s resolves to %s, a loopback, private or otherwise internal address; webhooks may not reach it", host, ip.Unmap())
		}
	}
	return nil
}
