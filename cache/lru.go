package cache

import (
	"container/list"
	"sync"
)

// lruEntryOverhead approximates what an entry costs beyond its key and
// value bytes (list element, map slot, headers), so many small entries
// count too.
const lruEntryOverhead = 128

// lru is a map bounded by entries and by bytes that evicts the least
// recently used entry. Both bounds matter: keys carry the data version, so
// every write leaves the previous version's payloads behind until they are
// evicted, and payloads range from a few hundred bytes to megabytes (all
// milestones), so a count alone does not bound the memory.
type lru struct {
	mu       sync.Mutex
	max      int   // entries
	maxBytes int64 // key + value + overhead of every entry
	bytes    int64
	order    *list.List // front: most recently used
	items    map[string]*list.Element
}

type lruEntry struct {
	key string
	val []byte
}

func (e *lruEntry) cost() int64 { return int64(len(e.key)+len(e.val)) + lruEntryOverhead }

func newLRU(max int, maxBytes int64) *lru {
	return &lru{max: max, maxBytes: maxBytes, order: list.New(), items: map[string]*list.Element{}}
}

func (l *lru) get(key string) ([]byte, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.items[key]
	if !ok {
		return nil, false
	}
	l.order.MoveToFront(e)
	return e.Value.(*lruEntry).val, true
}

// getBytes is get for a key in a byte slice; the map lookup converts it
// without allocating.
func (l *lru) getBytes(key []byte) ([]byte, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.items[string(key)]
	if !ok {
		return nil, false
	}
	l.order.MoveToFront(e)
	return e.Value.(*lruEntry).val, true
}

// put stores val under key. A value that alone exceeds the byte bound is
// not kept (it is still served from Redis, or computed again).
func (l *lru) put(key string, val []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.items[key]; ok {
		l.remove(e)
	}
	ent := &lruEntry{key, val}
	if l.max <= 0 || ent.cost() > l.maxBytes {
		return
	}
	l.items[key] = l.order.PushFront(ent)
	l.bytes += ent.cost()
	for l.order.Len() > l.max || l.bytes > l.maxBytes {
		l.remove(l.order.Back())
	}
}

func (l *lru) remove(e *list.Element) {
	ent := e.Value.(*lruEntry)
	l.order.Remove(e)
	delete(l.items, ent.key)
	l.bytes -= ent.cost()
}

// size reports the entries and the bytes they are counted for.
func (l *lru) size() (entries int, bytes int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.order.Len(), l.bytes
}
