//! Servers that misbehave at the TCP level, on plain `std::net` threads: a refused port, a
//! server that never answers and one that resets the connection halfway through a response.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

#[derive(Clone, Copy)]
enum Fault {
    NeverAnswers,
    ResetMidResponse,
}

/// A misbehaving server; dropping it stops the thread and closes every held socket.
pub(crate) struct FaultServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    accepted: Arc<AtomicU64>,
    thread: Option<JoinHandle<()>>,
}

impl FaultServer {
    /// `http://127.0.0.1:PORT` for a port that was bound and closed again: connecting is
    /// refused.
    pub(crate) fn refused_url() -> String {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local_addr");
        drop(listener);
        format!("http://{addr}")
    }

    /// Accepts connections and holds them open without reading or writing a byte.
    pub(crate) fn never_answers() -> FaultServer {
        Self::spawn(Fault::NeverAnswers)
    }

    /// Reads the request, sends the headers and half of the promised body, then closes the
    /// socket with `SO_LINGER 0` so the client sees a connection reset.
    pub(crate) fn reset_mid_response() -> FaultServer {
        Self::spawn(Fault::ResetMidResponse)
    }

    /// `http://127.0.0.1:PORT`.
    pub(crate) fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How many connections were accepted so far.
    pub(crate) fn connections(&self) -> u64 {
        self.accepted.load(Ordering::SeqCst)
    }

    fn spawn(fault: Fault) -> FaultServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        // Non-blocking accept lets the thread notice `stop` without a wake-up connection.
        listener
            .set_nonblocking(true)
            .expect("nonblocking listener");
        let addr = listener.local_addr().expect("local_addr");
        let stop = Arc::new(AtomicBool::new(false));
        let accepted = Arc::new(AtomicU64::new(0));
        let thread = {
            let (stop, accepted) = (stop.clone(), accepted.clone());
            std::thread::Builder::new()
                .name(format!("fault-server-{}", addr.port()))
                .spawn(move || serve(&listener, fault, &stop, &accepted))
                .expect("spawn fault server thread")
        };
        FaultServer {
            addr,
            stop,
            accepted,
            thread: Some(thread),
        }
    }
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(listener: &TcpListener, fault: Fault, stop: &AtomicBool, accepted: &AtomicU64) {
    let mut held = Vec::new();
    while !stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, _)) => {
                accepted.fetch_add(1, Ordering::SeqCst);
                let _ = stream.set_nonblocking(false);
                match fault {
                    Fault::NeverAnswers => held.push(stream),
                    Fault::ResetMidResponse => reset_mid_response(stream),
                }
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
}

fn reset_mid_response(mut stream: TcpStream) {
    // Read the request head first: closing with unread data would reset the connection
    // before the client even sees the status line.
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut request = Vec::new();
    let mut buf = [0u8; 4096];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n";
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&[b'x'; 500]);
    let _ = stream.flush();
    // Give the client time to read the head, so the reset lands mid-body.
    std::thread::sleep(Duration::from_millis(50));
    // std has no stable SO_LINGER setter; tokio's TcpSocket wraps the same fd without a
    // runtime and can set it. Dropping it then sends RST instead of FIN.
    let socket = tokio::net::TcpSocket::from_std_stream(stream);
    let _ = socket.set_zero_linger();
}
