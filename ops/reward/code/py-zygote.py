# The Python zygote: runs as PID 1 of a bubblewrap sandbox (python3 -I), pre-imports the
# usual modules, then for each job line on stdin forks a fresh child per program (per test
# for stdio), applies rlimits (CPU, address space, processes, file size) in the child,
# enforces per-test and total wall-clock deadlines from outside the child, and writes one
# JSON result line to stdout. It never judges outputs (the host does); it only runs and reports.
import builtins, ctypes, io, json, os, resource, select, signal, sys, time, traceback
import collections, functools, itertools, heapq, bisect, math, string, operator, random, re, datetime, typing, copy, fractions, decimal, array, statistics  # noqa: F401  warm the child's imports

PR_SET_DUMPABLE = 4
# Children share our uid: PID 1 ignores signals it has no handler for, and a non-dumpable
# process cannot be ptraced or have /proc/1/mem or /proc/1/fd opened by them.
signal.signal(signal.SIGINT, signal.SIG_DFL)
signal.signal(signal.SIGTERM, signal.SIG_DFL)
ctypes.CDLL(None).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)

MY_PID = os.getpid()
EXIT_MEMORY, EXIT_COMPILE = 120, 121
TAIL = 600


def set_limits(job):
    cpu_s = max(1, -(-job['totalMs'] // 1000)) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1))
    mem = job['memoryMb'] * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    resource.setrlimit(resource.RLIMIT_NPROC, (job['maxProcs'], job['maxProcs']))
    resource.setrlimit(resource.RLIMIT_FSIZE, (job['fileBytes'], job['fileBytes']))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))


def child_exec(job, stdin_fd, out_w, err_w, res_w):
    """In the forked child: wire fds, set limits, run. Never returns."""
    code = 1
    try:
        os.dup2(stdin_fd, 0)
        os.dup2(out_w, 1)
        os.dup2(err_w, 2)
        keep = [res_w] if res_w >= 0 else []
        for fd in range(3, 256):
            if fd not in keep:
                try:
                    os.close(fd)
                except OSError:
                    pass
        os.chdir('/tmp/run')
        sys.stdin = io.TextIOWrapper(io.BufferedReader(io.FileIO(0, 'r', closefd=False)), encoding='utf-8', errors='replace')
        sys.stdout = io.TextIOWrapper(io.BufferedWriter(io.FileIO(1, 'w', closefd=False), 1 << 16), encoding='utf-8', errors='replace', write_through=False)
        sys.stderr = io.TextIOWrapper(io.FileIO(2, 'w', closefd=False), encoding='utf-8', errors='replace', write_through=True)
        sys.setrecursionlimit(job.get('recursionLimit', 10000))
        set_limits(job)
        if job['mode'] == 'stdio':
            code = run_stdio(job)
        else:
            code = run_cases(job, os.fdopen(res_w, 'w', buffering=1))
    except MemoryError:
        code = EXIT_MEMORY
    except BaseException:
        code = 1
    try:
        sys.stdout.flush()
    except BaseException:
        pass
    os._exit(code)


def fresh_globals():
    return {'__name__': '__main__', '__builtins__': builtins}


def run_stdio(job):
    try:
        obj = compile(job['code'], 'solution.py', 'exec')
    except (SyntaxError, ValueError) as e:
        sys.stderr.write(f'{type(e).__name__}: {e}')
        return EXIT_COMPILE
    try:
        exec(obj, fresh_globals())
        # As the interpreter does at exit: wait for non-daemon threads (we leave with os._exit).
        t = sys.modules.get('threading')
        if t is not None:
            t._shutdown()
    except SystemExit as e:
        c = e.code
        if c is None or c == 0:
            return 0
        if not isinstance(c, int):
            sys.stderr.write(str(c))
            return 1
        return c & 255 or 1
    except MemoryError:
        return EXIT_MEMORY
    except BaseException:
        sys.stderr.write(traceback.format_exc(limit=-3)[-TAIL:])  # the last frames: cheap after deep recursion
        return 1
    return 0


def to_json(v):
    def default(o):
        if isinstance(o, (set, frozenset)):
            raise TypeError(f'a {type(o).__name__} is not JSON (compare as a list)')
        if isinstance(o, (tuple,)):
            return list(o)
        raise TypeError(f'{type(o).__name__} is not JSON')
    return json.dumps(v, default=default)


def resolve_entry(name, g):
    if '().' in name:
        cls, rest = name.split('().', 1)
        obj = g[cls]()
    else:
        first, *rest_parts = name.split('.')
        obj = g[first]
        rest = '.'.join(rest_parts)
    for part in [p for p in rest.split('.') if p]:
        obj = getattr(obj, part)
    return obj


def run_cases(job, res):
    def report(**kw):
        res.write(json.dumps(kw) + '\n')

    def failure(i, e):
        if isinstance(e, MemoryError):
            reason = 'memory_limit'
        elif isinstance(e, AssertionError):
            reason = 'wrong_answer'
        else:
            reason = 'runtime_error'
        tb = traceback.format_exception_only(type(e), e)[-1].strip() if not isinstance(e, SystemExit) else f'SystemExit({e.code})'
        report(ev='fail', i=i, reason=reason, detail=tb[-TAIL:])

    g = fresh_globals()
    if job.get('prelude'):
        try:
            exec(compile(job['prelude'], 'prelude.py', 'exec'), g)
        except BaseException as e:
            report(ev='infra', detail='test prelude failed: ' + traceback.format_exception_only(type(e), e)[-1].strip())
            return 0
    try:
        obj = compile(job['code'], 'solution.py', 'exec')
    except (SyntaxError, ValueError) as e:
        report(ev='fail', i=0, reason='compile_error', detail=f'{type(e).__name__}: {e}'[-TAIL:])
        return 0
    report(ev='start', i=0)
    try:
        exec(obj, g)
        if job.get('setup'):
            exec(compile(job['setup'], 'setup.py', 'exec'), g)
    except BaseException as e:
        failure(0, e)
        return 0
    cases = job['cases']
    for i, case in enumerate(cases):
        report(ev='start', i=i)
        try:
            if job['mode'] == 'assert':
                exec(compile(case, f'test_{i}.py', 'exec'), g)
                report(ev='ok', i=i)
            else:
                fn = resolve_entry(job['fnName'], g)
                args = json.loads(case)
                r = fn(**args) if isinstance(args, dict) else fn(*args)
                report(ev='ok', i=i, json=to_json(r))
        except BaseException as e:
            failure(i, e)
            return 0
    return 0


def kill_strays():
    """Kills every process of the sandbox but us and reaps them (daemons, fork bombs)."""
    for _ in range(50):
        others = [int(p) for p in os.listdir('/proc') if p.isdigit() and int(p) != MY_PID]
        if not others:
            break
        for pid in others:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        reap()
        time.sleep(0.001)
    reap()


def reap():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def clean_tmp():
    """Empties the writable places (/tmp, /dev/shm) so nothing passes from one program to the next."""
    for top in ('/tmp', '/dev/shm'):
        for root, dirs, files in os.walk(top, topdown=False):
            for f in files:
                try:
                    os.unlink(os.path.join(root, f))
                except OSError:
                    pass
            for d in dirs:
                p = os.path.join(root, d)
                try:
                    if os.path.islink(p):
                        os.unlink(p)
                    else:
                        os.chmod(p, 0o700)
                        os.rmdir(p)
                except OSError:
                    pass
    os.makedirs('/tmp/run', exist_ok=True)


def run_job(job):
    """Forks one child and watches it. Returns the result dict for the host."""
    t0 = time.monotonic()
    stdin_fd = os.memfd_create('stdin')
    data = job.get('input', '').encode('utf-8')
    if data:
        os.write(stdin_fd, data)
    os.lseek(stdin_fd, 0, 0)
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    res_r, res_w = os.pipe() if job['mode'] != 'stdio' else (-1, -1)
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        child_exec(job, stdin_fd, out_w, err_w, res_w)
    for fd in (stdin_fd, out_w, err_w, res_w):
        if fd >= 0:
            os.close(fd)
    out, err, res = bytearray(), bytearray(), bytearray()
    events = []
    open_fds = {out_r: out, err_r: err}
    if res_r >= 0:
        open_fds[res_r] = res
    per_test_s = job['perTestMs'] / 1000
    total_deadline = t0 + job['totalMs'] / 1000
    test_deadline = min(t0 + per_test_s, total_deadline)
    state = {'killed': None, 'current': 0, 'deadline': test_deadline}

    def consume(fd, chunk):
        buf = open_fds[fd]
        buf += chunk
        if fd == err_r:
            if len(buf) > 4 * TAIL:
                del buf[: len(buf) - 2 * TAIL]
        elif fd == out_r:
            if job['mode'] != 'stdio':
                del buf[:]  # prints are not judged in function/assert mode
            elif len(buf) > job['outputBytes']:
                state['killed'] = 'output_limit'
        else:
            *lines, rest = buf.split(b'\n')
            buf[:] = rest
            for line in lines:
                ev = json.loads(line)
                if ev['ev'] == 'start':
                    state['current'] = ev['i']
                    state['deadline'] = min(time.monotonic() + per_test_s, total_deadline)
                else:
                    events.append(ev)
            if len(buf) > job['outputBytes']:
                state['killed'] = 'output_limit'

    # The run ends when the program's process exits (pidfd readable), even if processes it
    # forked still hold the pipes; those are killed below.
    pidfd = os.pidfd_open(pid)
    exited = False
    while not exited and not state['killed']:  # not 'while open_fds': a child may close its pipes and keep running
        timeout = state['deadline'] - time.monotonic()
        if timeout <= 0:
            state['killed'] = 'time_limit'
            break
        ready, _, _ = select.select([pidfd, *open_fds], [], [], timeout)
        for fd in ready:
            if fd == pidfd:
                exited = True
                continue
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                os.close(fd)
                del open_fds[fd]
            else:
                consume(fd, chunk)
    if exited:
        for fd in list(open_fds):  # what is already in the pipes
            os.set_blocking(fd, False)
            while not state['killed']:
                try:
                    chunk = os.read(fd, 1 << 16)
                except BlockingIOError:
                    break
                if not chunk:
                    break
                consume(fd, chunk)
    os.close(pidfd)
    killed, current = state['killed'], state['current']
    if killed:
        os.kill(pid, signal.SIGKILL)
    _, status, ru = os.wait4(pid, 0)
    for fd in list(open_fds):
        os.close(fd)
    kill_strays()
    clean_tmp()
    result = {
        'id': job['id'],
        'killed': killed,
        'current': current,
        'exit': os.waitstatus_to_exitcode(status),
        'cpuMs': round((ru.ru_utime + ru.ru_stime) * 1000, 3),
        'wallMs': round((time.monotonic() - t0) * 1000, 3),
        'events': events,
        'stderr': err[-TAIL:].decode('utf-8', 'replace'),
    }
    if job['mode'] == 'stdio':
        result['stdout'] = bytes(out[: job['outputBytes']]).decode('utf-8', 'replace')
    return result


def main():
    os.makedirs('/tmp/run', exist_ok=True)
    stdin = sys.stdin.buffer
    out = sys.stdout
    out.write(json.dumps({'ready': True, 'pid': MY_PID}) + '\n')
    out.flush()
    for line in stdin:
        job = json.loads(line)
        try:
            result = run_job(job)
        except Exception as e:
            kill_strays()
            result = {'id': job.get('id'), 'fatal': f'{type(e).__name__}: {e}'}
        out.write(json.dumps(result) + '\n')
        out.flush()


main()
