# The build user's racers (test/helpers/attacker.ts): a blind spinning swapper, or an inotify-timed one-shot attack.
import ctypes, json, os, select, signal, struct, sys, time

spec = json.loads(sys.argv[1])
libc = ctypes.CDLL(None, use_errno=True)
libc.renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
libc.inotify_add_watch.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]
AT_FDCWD, RENAME_EXCHANGE = -100, 2
stats = {'swaps': 0, 'fired': 0, 'errors': 0}
stopping = [False]
signal.signal(signal.SIGTERM, lambda *_: stopping.__setitem__(0, True))


def drop(uid, gid):
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)


def step(fn, *args):
    try:
        fn(*args)
        return True
    except OSError:
        stats['errors'] += 1
        return False


def exchange(a, b):
    if libc.renameat2(AT_FDCWD, a.encode(), AT_FDCWD, b.encode(), RENAME_EXCHANGE) != 0:
        raise OSError(ctypes.get_errno(), 'renameat2')


def act(a):
    """One action of a timed attack, as its user (a forked child drops to it)."""
    pid = os.fork()
    if pid == 0:
        try:
            drop(a['uid'], a['gid'])
            if a['op'] == 'exchange':
                exchange(a['path'], a['with'])
            elif a['op'] == 'write':
                with open(a['path'], 'w') as f:
                    f.write(a.get('data', 'theirs\n'))
            elif a['op'] == 'utime':
                os.utime(a['path'], ns=(a['ns'], a['ns']))
            os._exit(0)
        except BaseException as e:
            sys.stderr.write('%s: %r\n' % (a['op'], e))
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    if status != 0:
        stats['errors'] += 1


def spin():
    """Swaps each path with its symlink for as long as runner runs: rename(2) in four steps, or renameat2 exchange."""
    drop(spec['uid'], spec['gid'])
    print('ready', flush=True)
    while not stopping[0]:
        for p in spec['pairs']:
            if spec['how'] == 'exchange':
                stats['swaps'] += step(exchange, p['path'], p['link'])
            elif step(os.rename, p['path'], p['real']):
                # the dir is parked; the symlink takes its name, then everything goes back
                stats['swaps'] += step(os.rename, p['link'], p['path'])
                step(os.rename, p['path'], p['link'])
                step(os.rename, p['real'], p['path'])


def watch():
    """Waits for the nth inotify event matching `mask` on `name` in `dir`, then runs the actions once."""
    fd = libc.inotify_init1(os.O_NONBLOCK)
    if fd < 0 or libc.inotify_add_watch(fd, spec['dir'].encode(), spec['mask']) < 0:
        raise OSError(ctypes.get_errno(), 'inotify')
    print('ready', flush=True)
    seen, want = 0, spec['name'].encode()
    while not stopping[0] and stats['fired'] == 0:
        if not select.select([fd], [], [], 0.05)[0]:
            continue
        buf, i = os.read(fd, 65536), 0
        while i < len(buf) and stats['fired'] == 0:
            _, mask, _, n = struct.unpack_from('iIII', buf, i)
            name, i = buf[i + 16:i + 16 + n].rstrip(b'\0'), i + 16 + n
            if name == want and mask & spec['mask']:
                seen += 1
                if seen == spec.get('nth', 1):
                    time.sleep(spec.get('delayMs', 0) / 1000)
                    for a in spec['actions']:
                        act(a)
                    stats['fired'] = 1
    while not stopping[0]:
        time.sleep(0.02)


spin() if spec['mode'] == 'spin' else watch()
print(json.dumps(stats), flush=True)
