"""End-to-end scenarios against the installed kernelspec "supersonic",
driven by Debian's jupyter_client / nbclient.
Usage: scenarios.py NAME... (run on one kernel) | scenarios.py quickstart NOTEBOOK.
Asserts, and exits 0 on success."""
import os
import signal
import sys
import time
import uuid

import jupyter_client

TIMEOUT = 180  # seconds for one cell; compiling is the slow part


def start():
    """Start a kernel the way Jupyter Server does: its connection file is
    kernel-ID.json (gonb's widgets need that id)."""
    from jupyter_core.paths import jupyter_runtime_dir
    runtime = jupyter_runtime_dir()
    os.makedirs(runtime, exist_ok=True)
    km = jupyter_client.KernelManager(kernel_name="supersonic",
                                      connection_file=os.path.join(runtime, f"kernel-{uuid.uuid4()}.json"))
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=120)
    return km, kc


def collect(kc, msg_id, timeout=TIMEOUT):
    """iopub messages of msg_id until its idle status."""
    out = []
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            m = kc.get_iopub_msg(timeout=max(0.1, deadline - time.time()))
        except Exception:
            break
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        out.append(m)
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            return out
    raise AssertionError(f"no idle status for {msg_id} within {timeout}s; got {[x['msg_type'] for x in out]}")


def get_reply(kc, msg_id, timeout=TIMEOUT):
    """The shell reply to msg_id, skipping others (wait_for_ready may leave
    extra kernel_info replies behind)."""
    deadline = time.time() + timeout
    while True:
        reply = kc.get_shell_msg(timeout=max(0.1, deadline - time.time()))
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply


def execute(kc, code, timeout=TIMEOUT):
    msg_id = kc.execute(code)
    reply = get_reply(kc, msg_id, timeout)
    return reply["content"], collect(kc, msg_id, timeout)


def text_of(msgs):
    parts = []
    for m in msgs:
        c = m["content"]
        if m["msg_type"] == "stream":
            parts.append(c["text"])
        elif m["msg_type"] in ("display_data", "update_display_data", "execute_result"):
            parts.append(str(c["data"].get("text/plain", "")) + str(c["data"].get("text/html", "")))
        elif m["msg_type"] == "error":
            parts.append(c["ename"] + ": " + c["evalue"])
    return "".join(parts)


def check(cond, what, detail=""):
    if not cond:
        raise AssertionError(f"{what}\n{detail}")
    print("ok:", what)


def descendants(pid):
    children = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                s = f.read()
        except OSError:
            continue
        ppid = int(s[s.rindex(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(d))
    out, queue = [], [pid]
    while queue:
        p = queue.pop()
        for c in children.get(p, []):
            out.append(c)
            queue.append(c)
    return out


def children_of(pid):
    return [p for p in descendants(pid) if ppid_of(p) == pid]


def ppid_of(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
    except OSError:
        return -1
    return int(s[s.rindex(")") + 2:].split()[1])


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def left_after(pids, seconds):
    """Waits up to seconds for pids to end; returns those still running, with their names."""
    deadline = time.time() + seconds
    while time.time() < deadline and any(alive(p) for p in pids):
        time.sleep(0.2)
    return [(p, comm_of(p)) for p in pids if alive(p)]


def comm_of(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


def kernel_pid(km):
    return km.provisioner.process.pid


def scenario_plain(km, kc):
    info = kc.kernel_info(reply=True, timeout=60)["content"]
    check(info["implementation"] == "supersonic" and info["language_info"]["name"] == "go" and info["language_info"]["pygments_lexer"] == "go", "kernel_info names supersonic and go, with a Go lexer", info)
    reply, msgs = execute(kc, '%%\nfmt.Println("hello", 6*7)')
    check(reply["status"] == "ok", "plain Go cell succeeds", reply)
    check("hello 42" in text_of(msgs), "plain Go cell prints", text_of(msgs))


def scenario_help(km, kc):
    reply, msgs = execute(kc, "%supersonic help")
    check(reply["status"] == "ok", "%supersonic help succeeds", reply)
    inputs = [m["content"]["code"] for m in msgs if m["msg_type"] == "execute_input"]
    check(inputs == ["%supersonic help"], "execute_input shows the cell as typed", inputs)
    text = text_of(msgs)
    check("%supersonic" in text and "--show-go" in text and "%search" in text, "help lists the magics", text)


def scenario_list(km, kc):
    reply, msgs = execute(kc, '%supersonic list states')
    check(reply["status"] == "ok" and "action-history" in text_of(msgs), "%supersonic list states shows built-in states", text_of(msgs))
    reply, msgs = execute(kc, 'import "github.com/supersonic-rl/supersonic/rlcore"\n\nfunc init_e2eReward() {\n'
                          '\trlcore.RegisterReward(&rlcore.Reward{Name: "e2e-reward", Doc: "registered by a cell",\n'
                          '\t\tFunc: func(*rlcore.RewardSignal) (float64, error) { return 0, nil }})\n}')
    check(reply["status"] == "ok", "a cell declaring a reward compiles (the checkout is importable)", text_of(msgs))
    reply, msgs = execute(kc, '%supersonic list rewards --show-go')
    text = text_of(msgs)
    check(reply["status"] == "ok" and "e2e-reward" in text, "components registered by earlier cells are listed", text)
    md = [m for m in msgs if m["msg_type"] == "display_data" and "text/markdown" in m["content"]["data"]]
    check(md and 'rlcore.List(kind, task)' in md[0]["content"]["data"]["text/markdown"], "--show-go shows the Go source", md)


def scenario_bad_signature(km, kc):
    from jupyter_client.session import Session
    forger = Session(key=b"not-the-key", session=kc.session.session, username=kc.session.username)
    msg = forger.msg("execute_request", {"code": '%%\nfmt.Println("forged")', "silent": False, "store_history": True,
                                         "user_expressions": {}, "allow_stdin": False, "stop_on_error": True})
    forger.send(kc.shell_channel.socket, msg)
    try:
        reply = kc.get_shell_msg(timeout=5)
        raise AssertionError(f"a message signed with the wrong key was answered: {reply}")
    except AssertionError:
        raise
    except Exception:
        print("ok: a message signed with the wrong key is dropped")
    reply, msgs = execute(kc, '%%\nfmt.Println("genuine")')
    text = text_of(msgs)
    check(reply["status"] == "ok" and "genuine" in text and "forged" not in text, "the kernel still serves signed messages", text)


def scenario_malformed(km, kc):
    reply, msgs = execute(kc, "%supersonic lst")
    check(reply["status"] == "error" and reply["ename"] == "MagicError", "a malformed magic gets an error reply", reply)
    check("lst" in reply["evalue"] and "help, version, list" in reply["evalue"], "evalue says what was wrong and what is allowed", reply["evalue"])
    errs = [m for m in msgs if m["msg_type"] == "error"]
    check(len(errs) == 1 and errs[0]["content"]["ename"] == "MagicError", "an error message is published on iopub", msgs)
    reply, msgs = execute(kc, "%supersonic list widgets")
    check(reply["status"] == "error" and "unknown component kind" in reply["evalue"] and "states" in reply["evalue"],
          "a bad argument names the allowed values", reply)
    reply, msgs = execute(kc, '%%\nfmt.Println("still alive")')
    check(reply["status"] == "ok" and "still alive" in text_of(msgs), "the kernel works after a malformed magic", text_of(msgs))


def scenario_display(km, kc):
    code = ('import "github.com/janpfeifer/gonb/gonbui"\n\n%%\nid := gonbui.UniqueId()\n'
            'gonbui.UpdateHtml(id, "<b>first</b>")\ngonbui.UpdateHtml(id, "<b>second</b>")\ngonbui.Sync()')
    reply, msgs = execute(kc, code)
    check(reply["status"] == "ok", "a gonbui cell runs", text_of(msgs))
    shown = [m for m in msgs if m["msg_type"] == "display_data" and not is_status(m)]
    updates = [m for m in msgs if m["msg_type"] == "update_display_data"]
    check(shown and updates, "display_data then update_display_data reach the client", [m["msg_type"] for m in msgs])
    did = shown[0]["content"]["transient"].get("display_id")
    check(did and updates[-1]["content"]["transient"].get("display_id") == did and "second" in updates[-1]["content"]["data"]["text/html"],
          "the update carries the display id and the new content", updates[-1]["content"])


def is_status(m):
    """Whether m is the kernel's own "compiling the cell…" status line."""
    return m["content"].get("transient", {}).get("display_id", "").startswith("supersonic-status-")


def scenario_comm(km, kc):
    kernel_id = os.path.basename(km.connection_file)[len("kernel-"):-len(".json")]
    comm_id = uuid.uuid4().hex
    msg = kc.session.msg("comm_open", {"comm_id": comm_id, "target_name": "gonb_comm", "data": {}, "kernel_id": kernel_id})
    kc.shell_channel.send(msg)
    acks = wait_comm(kc, msg["header"]["msg_id"], "#comm_open_ack")
    check(acks["content"]["comm_id"] == comm_id, "comm_open reaches gonb and its acknowledgement comes back", acks)
    msg = kc.session.msg("comm_msg", {"comm_id": comm_id, "data": {"address": "#heartbeat/ping", "value": True}})
    kc.shell_channel.send(msg)
    pong = wait_comm(kc, msg["header"]["msg_id"], "#heartbeat/pong")
    check(pong["content"]["comm_id"] == comm_id, "comm_msg round trip: ping answered by pong", pong)
    info = kc.comm_info(reply=True, timeout=30)["content"]
    check(info["status"] == "ok" and info["comms"].get(comm_id, {}).get("target_name") == "gonb_comm", "comm_info lists the open comm", info)
    # A cell program talks to the frontend over that comm (as widgets do).
    msg_id = kc.execute('import (\n\t"github.com/janpfeifer/gonb/gonbui"\n\t"github.com/janpfeifer/gonb/gonbui/comms"\n)\n\n'
                        '%%\ncomms.Send("/e2e/value", 42)\ngonbui.Sync()')
    reply = get_reply(kc, msg_id)
    check(reply["content"]["status"] == "ok", "a cell sending over the comm runs", reply["content"])
    sent = [m for m in collect_all(kc, 3) if m["msg_type"] == "comm_msg" and m["content"]["data"].get("address") == "/e2e/value"]
    check(sent and sent[0]["content"]["comm_id"] == comm_id and sent[0]["content"]["data"]["value"] == 42,
          "the cell's comm_msg reaches the client", sent)


def collect_all(kc, seconds):
    """Every iopub message arriving within seconds."""
    out, deadline = [], time.time() + seconds
    while time.time() < deadline:
        try:
            out.append(kc.get_iopub_msg(timeout=0.2))
        except Exception:
            pass
    return out


def wait_comm(kc, parent, address, timeout=30):
    deadline = time.time() + timeout
    seen = []
    while time.time() < deadline:
        try:
            m = kc.get_iopub_msg(timeout=1)
        except Exception:
            continue
        seen.append((m["msg_type"], m["content"]))
        if m["msg_type"] == "comm_msg" and m["content"].get("data", {}).get("address") == address:
            return m
    raise AssertionError(f"no comm_msg {address} within {timeout}s; saw {seen}")


def scenario_complete(km, kc):
    r = kc.complete("%su", 3, reply=True, timeout=30)["content"]
    check(r["status"] == "ok" and "%supersonic" in r["matches"] and r["cursor_start"] == 0 and r["cursor_end"] == 3, "complete_request on %su", r)
    r = kc.complete("%supersonic list st", 19, reply=True, timeout=30)["content"]
    check(r["matches"] == ["states"] and r["cursor_start"] == 17, "completion of list kinds", r)
    r = kc.inspect("%supersonic list", 5, reply=True, timeout=30)["content"]
    check(r["found"] and "%supersonic list [KIND]" in r["data"]["text/plain"], "inspect_request returns the magic's help", r)
    r = kc.complete('import "fmt"\n\n%%\nfmt.Prin', 25, reply=True, timeout=60)["content"]
    check(r["status"] == "ok" and "Println" in r["matches"], "Go completion is answered by gonb's gopls", r)


def scenario_stdin(km, kc):
    msg_id = kc.execute('%with_inputs\n!read x && echo "got $x"', allow_stdin=True)
    req = kc.get_stdin_msg(timeout=TIMEOUT)
    check(req["msg_type"] == "input_request" and req["parent_header"]["msg_id"] == msg_id, "gonb's input_request reaches the client", req)
    kc.input("supersonic")
    reply = get_reply(kc, msg_id)
    text = text_of(collect(kc, msg_id))
    check(reply["content"]["status"] == "ok" and "got supersonic" in text, "the input_reply reaches the cell", text)


def scenario_interrupt(km, kc):
    msg_id = kc.execute('%%\nfmt.Println("sleeping")\ntime.Sleep(120 * time.Second)\nfmt.Println("woke up")')
    deadline = time.time() + TIMEOUT
    started = False
    while time.time() < deadline and not started:  # wait until the cell program runs
        m = kc.get_iopub_msg(timeout=TIMEOUT)
        if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "stream" and "sleeping" in m["content"]["text"]:
            started = True
    check(started, "the sleeping cell started")
    t0 = time.time()
    km.interrupt_kernel()
    reply = get_reply(kc, msg_id, 30)
    check(reply is not None, "the interrupted cell replies", reply)
    print(f"interrupt answered in {time.time() - t0:.2f}s with status {reply['content']['status']}")
    msgs = collect(kc, msg_id, 30)
    check("woke up" not in text_of(msgs), "the cell did not run to completion", text_of(msgs))
    reply, msgs = execute(kc, '%%\nfmt.Println("usable")')
    check(reply["status"] == "ok" and "usable" in text_of(msgs), "the kernel is usable after the interrupt", text_of(msgs))
    # The same with SIGINT to the kernel process (interrupt_mode "signal").
    msg_id = kc.execute('%%\nfmt.Println("sleeping again")\ntime.Sleep(120 * time.Second)')
    wait_stream(kc, msg_id, "sleeping again")
    os.kill(kernel_pid(km), signal.SIGINT)
    reply = get_reply(kc, msg_id, 30)
    check(reply is not None, "SIGINT to the kernel interrupts the cell", reply)
    collect(kc, msg_id, 30)
    reply, msgs = execute(kc, '%%\nfmt.Println("usable again")')
    check(reply["status"] == "ok" and "usable again" in text_of(msgs), "the kernel is usable after SIGINT", text_of(msgs))


def wait_stream(kc, msg_id, text):
    deadline = time.time() + TIMEOUT
    while time.time() < deadline:
        m = kc.get_iopub_msg(timeout=TIMEOUT)
        if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "stream" and text in m["content"]["text"]:
            return
    raise AssertionError(f"cell never printed {text!r}")


def scenario_gonb_dies(km, kc):
    reply, msgs = execute(kc, '%%\nfmt.Println("before")')
    check(reply["status"] == "ok", "first cell runs", text_of(msgs))
    # gonb is the kernel's direct child. Among all descendants, a child that
    # gonb has forked and not yet exec'd (gopls, go build) is named "gonb"
    # too: CI once saw two "gonbs" that way.
    gonbs = [p for p in children_of(kernel_pid(km)) if comm_of(p) == "gonb"]
    check(len(gonbs) == 1, "one gonb child runs", gonbs)
    os.kill(gonbs[0], signal.SIGKILL)
    time.sleep(0.5)
    reply, msgs = execute(kc, '%%\nfmt.Println("after")')
    text = text_of(msgs)
    check(reply["status"] == "ok" and "after" in text, "the next cell works", text)
    check("restarted" in text, "the cell's output says gonb was restarted", text)
    new = [p for p in children_of(kernel_pid(km)) if comm_of(p) == "gonb"]
    check(len(new) == 1 and new[0] != gonbs[0], "a new gonb runs", new)
    direct = [p for p in children_of(kernel_pid(km)) if alive(p)]
    check(direct == new, "the dead gonb left nothing behind (its gopls was ended)", [(p, comm_of(p)) for p in direct])


def scenario_restart(km, kc):
    reply, msgs = execute(kc, '%%\nfmt.Println("first life")')
    check(reply["status"] == "ok", "a cell runs", text_of(msgs))
    old_pid = kernel_pid(km)
    below = descendants(old_pid)
    km.restart_kernel(now=False)
    kc.wait_for_ready(timeout=120)
    left = left_after(below + [old_pid], 0)
    check(not left, "restart leaves no process of the old kernel behind", left)
    reply, msgs = execute(kc, '%%\nfmt.Println("second life")')
    check(reply["status"] == "ok" and "second life" in text_of(msgs), "the restarted kernel runs cells", text_of(msgs))


def scenario_shutdown(km, kc):
    reply, msgs = execute(kc, '%%\nfmt.Println("hi")')
    check(reply["status"] == "ok", "a cell runs", text_of(msgs))
    kpid = kernel_pid(km)
    below = descendants(kpid)
    check(any(comm_of(p) == "gonb" for p in below), "gonb runs below the kernel", [(p, comm_of(p)) for p in below])
    kc.stop_channels()
    km.shutdown_kernel(now=False)
    left = left_after(below + [kpid], 15)
    check(not left, "shutdown leaves no process behind", left)


def scenario_failures(km, kc):
    """A failed cell replies status error (nbclient's Run All stops there)."""
    reply, msgs = execute(kc, '%%\npanic("boom in a cell")')
    check(reply["status"] == "error" and reply["ename"] == "GoPanic" and reply["evalue"] == "boom in a cell",
          "a panicking cell replies error with the panic message", reply)
    check(any("goroutine" in line for line in reply["traceback"]), "the traceback carries the stack", reply["traceback"])
    check(any(m["msg_type"] == "error" for m in msgs), "an error output is shown", [m["msg_type"] for m in msgs])
    reply, msgs = execute(kc, '%%\nos.Exit(3)')
    check(reply["status"] == "error" and "exit status 3" in reply["evalue"], "os.Exit(3) replies error", reply)
    reply, msgs = execute(kc, '%%\nfmt.Fprintln(os.Stderr, "error: the store is locked")\nos.Exit(1)')
    check(reply["status"] == "error" and reply["evalue"] == "the store is locked", "an 'error: ...' line is the evalue", reply)
    # A magic whose run fails inside the cell program.
    reply, msgs = execute(kc, "%deploy no-such-run-e2e --budget 1s")
    check(reply["status"] == "error" and reply["ename"] == "Error" and "no-such-run-e2e" in reply["evalue"],
          "a magic failing in its program replies error", reply)
    reply, msgs = execute(kc, '%%\nfmt.Println("fine")')
    check(reply["status"] == "ok" and "fine" in text_of(msgs), "the next cell runs normally", reply)
    # Mistyped magics are answered at once; gonb's own commands pass through.
    for code, want in [("%nosuch", "unknown magic"), ("% search demo", "write %search as one word"),
                       ("%search demo --budget 0s", "must be > 0")]:
        reply, msgs = execute(kc, code, timeout=10)
        check(reply["status"] == "error" and reply["ename"] == "MagicError" and want in reply["evalue"], f"{code!r} is a clear error", reply)
    t0 = time.time()
    reply, msgs = execute(kc, "%%task e2e_bad\ntask: nosuchtask\nbenchmarks: builtin:crc32\nstates: autophase\nalgorithms: ppo", timeout=10)
    took = time.time() - t0
    check(reply["status"] == "error" and reply["ename"] == "MagicError" and "nosuchtask" in reply["evalue"] and "codesize" in reply["evalue"],
          f"%%task with an unknown task is answered by the kernel in {took:.2f}s, naming the registered tasks", reply)
    reply, msgs = execute(kc, "%%task e2e_bad\ntask: codesize\nbenchmarks: builtin:crc32\nstates: autophse\nalgorithms: ppo", timeout=10)
    check(reply["status"] == "error" and "autophse" in reply["evalue"] and "autophase" in reply["evalue"], "an unknown state function is named with the allowed ones", reply)
    t0 = time.time()
    reply, msgs = execute(kc, "%%task e2e_bad\ntask: codesize\nbenchmarks: builtin:crc32, csmith:1-x\nstates: autophase\nalgorithms: ppo", timeout=10)
    took = time.time() - t0
    check(reply["status"] == "error" and reply["ename"] == "MagicError" and "csmith:1-x" in reply["evalue"],
          f"a malformed benchmark spec is answered by the kernel in {took:.2f}s, before compiling", reply)
    reply, msgs = execute(kc, "%env SUPERSONIC_E2E 1")
    check(reply["status"] == "ok" and "MagicError" not in text_of(msgs), "gonb's %env passes through", reply)
    reply, msgs = execute(kc, "%search " + "x" * 100000, timeout=10)
    size = len(reply["evalue"]) + sum(len(t) for t in reply["traceback"])
    check(reply["status"] == "error" and size < 5000, f"a 100k-character argument is not echoed back ({size} characters)", size)


def scenario_protocol(km, kc):
    """is_complete, execution counts on every reply, history."""
    for code, status in [("func add(a, b int) int {", "incomplete"), ("func add(a, b int) int {\n    return a + b\n}", "complete"),
                         ("%%task demo\ntask: codesize", "incomplete"), ("%supersonic help", "complete"), ("x := (1]", "invalid")]:
        r = get_reply(kc, kc.is_complete(code), 30)["content"]
        check(r["status"] == status, f"is_complete({code!r}) is {status}", r)
        if status == "incomplete" and code.startswith("func"):
            check(r["indent"] == "    ", "an open brace asks for an indent", r)
    counts = []
    for code in ['%%\nfmt.Println(1)', "%nosuch", '%%\npanic("x")', "%supersonic version"]:
        reply, msgs = execute(kc, code)
        counts.append(reply["execution_count"])
        inputs = [m["content"]["execution_count"] for m in msgs if m["msg_type"] == "execute_input"]
        check(inputs == [reply["execution_count"]], f"execute_input of {code!r} carries the reply's count", (inputs, reply))
    check(counts == list(range(counts[0], counts[0] + 4)), "every reply, errors included, takes the next execution count", counts)
    r = get_reply(kc, kc.history(hist_access_type="tail", n=2), 30)["content"]
    inputs = [h[2] for h in r["history"]]
    check(inputs == ['%%\npanic("x")', "%supersonic version"], "history_request returns the last cells", r)
    r = get_reply(kc, kc.history(hist_access_type="search", pattern="%nosu*", n=5, unique=True), 30)["content"]
    check([h[2] for h in r["history"]] == ["%nosuch"], "history search by pattern", r)


def scenario_compile_interrupt(km, kc):
    """Kernel > Interrupt while a cell compiles: the compile stops, nothing runs."""
    code = ('import _ "github.com/supersonic-rl/supersonic/rlcore/all"\n\n%%\n'
            'fmt.Println("the program started")')
    msg_id = kc.execute(code)
    deadline = time.time() + 60
    status = None
    while time.time() < deadline and status is None:
        m = kc.get_iopub_msg(timeout=60)
        if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "display_data" and "compiling the cell" in m["content"]["data"].get("text/html", ""):
            status = m
    check(status is not None, "a 'compiling the cell' status line shows at once")
    check("text/plain" not in status["content"]["data"], "the status line has no text/plain (jupyter console would keep it)", status["content"]["data"])
    km.interrupt_kernel()
    reply = get_reply(kc, msg_id, 60)["content"]
    msgs = collect(kc, msg_id, 30)
    check(reply["status"] == "error" and reply["ename"] == "KeyboardInterrupt", "the interrupted compile replies KeyboardInterrupt", reply)
    check("the program started" not in text_of(msgs), "the cell's program never started", text_of(msgs))
    reply, msgs = execute(kc, '%%\nfmt.Println("after the interrupt")')
    check(reply["status"] == "ok" and "after the interrupt" in text_of(msgs), "the kernel runs the next cell", text_of(msgs))


def scenario_frontend_dies(km, kc):
    """kill -9 of the frontend: the kernel notices and leaves nothing behind."""
    import subprocess
    helper = subprocess.Popen([sys.executable, __file__, "frontend"], stdout=subprocess.PIPE, text=True)
    kpid = int(helper.stdout.readline())
    below = descendants(kpid)
    check(any(comm_of(p) == "gonb" for p in below), "the helper frontend's kernel runs gonb", [(p, comm_of(p)) for p in below])
    os.kill(helper.pid, signal.SIGKILL)
    helper.wait()
    left = left_after(below + [kpid], 20)
    check(not left, "the kernel, gonb and gopls end when their frontend is killed", left)


def scenario_first_completion(km, kc):
    """The very first completion of a fresh kernel waits for gopls."""
    code = 'import "fmt"\n\n%%\nfmt.Sprin'
    r = kc.complete(code, len(code), reply=True, timeout=90)["content"]
    check(r["status"] == "ok" and "Sprintf" in r["matches"], "the first Go completion after start-up has matches", r)


def scenario_kill9(km, kc):
    """kill -9 of the kernel: gonb and gopls do not stay behind."""
    r = kc.complete('import "fmt"\n\n%%\nfmt.Prin', 25, reply=True, timeout=60)["content"]  # gopls is up
    kpid = kernel_pid(km)
    below = descendants(kpid)
    check(any(comm_of(p) == "gopls" for p in below), "gopls runs below the kernel", [(p, comm_of(p)) for p in below])
    os.kill(kpid, signal.SIGKILL)
    left = left_after(below, 15)
    check(not left, "after kill -9 of the kernel nothing of it stays behind", left)


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def footprint(km):
    """Resident memory (MiB) and process count of the kernel and all below it."""
    pids = [kernel_pid(km)] + [p for p in descendants(kernel_pid(km)) if alive(p)]
    return sum(rss_kib(p) for p in pids) / 1024, len(pids), sorted(comm_of(p) for p in pids)


def scenario_soak(km, kc):
    """200 cells in one kernel (Go cells, magics answered by the kernel,
    mistakes): memory and process count stay flat."""
    cells = [
        # a Go cell every 20 cells keeps the soak within a few minutes of compiling
        lambda i: ('%%\nfmt.Println("soak", ' + str(i) + ')', "ok") if i % 20 == 0 else ("%supersonic help codesize", "ok"),
        lambda i: ("%supersonic help", "ok"),
        lambda i: ("%nosuch" + str(i), "error"),
        lambda i: ("%search", "error"),
        lambda i: ("%%task soak\ntask: nosuchtask\nbenchmarks: builtin:crc32\nstates: autophase\nalgorithms: ppo", "error"),
        lambda i: ("%supersonic version", "ok"),
        lambda i: ("%search soak --budget 0s", "error"),
        lambda i: ("% search soak", "error"),
        lambda i: ("%supersonic help search", "ok"),
        lambda i: ("%deploy --nosuchflag", "error"),
    ]
    warm = None
    for i in range(200):
        code, want = cells[i % len(cells)](i)
        reply, msgs = execute(kc, code)
        if reply["status"] != want:
            check(False, f"soak cell {i} {code!r} replies {want}", reply)
        if i % 20 == 0 and f"soak {i}" not in text_of(msgs):
            check(False, f"soak cell {i} prints", text_of(msgs))
        if i == 39:
            time.sleep(1)
            warm = footprint(km)
            print(f"soak: after 40 cells {warm[0]:.0f} MiB in {warm[1]} processes {warm[2]}")
    time.sleep(1)
    end = footprint(km)
    print(f"soak: after 200 cells {end[0]:.0f} MiB in {end[1]} processes {end[2]}")
    check(end[1] == warm[1], f"the process count stays flat over 200 cells ({warm[1]} -> {end[1]})", (warm[2], end[2]))
    check(end[0] <= warm[0] * 1.25 + 32, f"resident memory stays flat over 200 cells ({warm[0]:.0f} -> {end[0]:.0f} MiB)", (warm, end))


def frontend():
    """A frontend that starts a kernel, prints its pid and waits to be killed."""
    km, kc = start()
    reply, _ = execute(kc, '%%\nfmt.Println("up")')
    print(kernel_pid(km), flush=True)
    time.sleep(600)


def quickstart(path):
    import nbformat
    from nbclient import NotebookClient
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, kernel_name="supersonic", timeout=600, resources={"metadata": {"path": os.path.dirname(path)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    check(not errors, "the quickstart notebook runs without errors", errors)
    empty = [c.source for c in nb.cells if c.cell_type == "code" and not c.outputs and not c.source.startswith("import")]
    check(not empty, "every output-producing cell has output", empty)


SCENARIOS = {k[len("scenario_"):]: v for k, v in globals().items() if k.startswith("scenario_")}

if __name__ == "__main__":
    name = sys.argv[1]
    if name == "frontend":
        frontend()
        sys.exit(0)
    if name == "quickstart":
        quickstart(sys.argv[2])
        sys.exit(0)
    km, kc = start()
    try:
        for name in sys.argv[1:]:  # several scenarios may share one kernel
            print(f"== {name}")
            SCENARIOS[name](km, kc)
    finally:
        if km.is_alive():
            kc.stop_channels()
            km.shutdown_kernel(now=False)
