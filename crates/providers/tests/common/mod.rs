//! A tiny scripted HTTP/1.1 server on 127.0.0.1:0 for transport tests (raw tokio TcpListener).
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server does with each request.
#[derive(Debug, Clone)]
pub enum Behaviour {
    /// Reply with this status, content type and body.
    Reply {
        status: u16,
        content_type: &'static str,
        body: Vec<u8>,
    },
    /// Reply 200 with the request body echoed back.
    Echo,
    /// Read the request and never answer (keep the socket open).
    Hang,
    /// Read the request and close the connection without a reply.
    DropAfterRequest,
    /// Send headers promising 100 bytes, send 10, close.
    TruncatedBody,
}

/// One request as received: request line and body.
#[derive(Debug, Clone)]
pub struct Received {
    pub request_line: String,
    pub headers: String,
    pub body: String,
}

pub struct Server {
    pub addr: SocketAddr,
    pub received: Arc<Mutex<Vec<Received>>>,
}

impl Server {
    pub fn url(&self, path: &str) -> url::Url {
        url::Url::parse(&format!("http://{}/{}", self.addr, path)).expect("valid url")
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("lock").clone()
    }
}

pub async fn spawn(behaviour: Behaviour) -> Server {
    spawn_with(move |_| behaviour.clone()).await
}

/// A server whose behaviour depends on the request (by its body).
pub async fn spawn_with(choose: impl Fn(&Received) -> Behaviour + Send + Sync + 'static) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let received = Arc::new(Mutex::new(Vec::new()));
    let log = received.clone();
    let choose = Arc::new(choose);
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let log = log.clone();
            let choose = choose.clone();
            tokio::spawn(async move { serve(stream, log, choose).await });
        }
    });
    Server { addr, received }
}

async fn serve(
    mut stream: TcpStream,
    log: Arc<Mutex<Vec<Received>>>,
    choose: Arc<impl Fn(&Received) -> Behaviour>,
) {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let header_end = loop {
        let Ok(n) = stream.read(&mut chunk).await else {
            return;
        };
        if n == 0 {
            return;
        }
        buffer.extend_from_slice(&chunk[..n]);
        if let Some(pos) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos + 4;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..header_end]).into_owned();
    let length = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    while buffer.len() < header_end + length {
        let Ok(n) = stream.read(&mut chunk).await else {
            return;
        };
        if n == 0 {
            break;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8_lossy(&buffer[header_end..]).into_owned();
    let (request_line, headers) = head.split_once("\r\n").unwrap_or((&head, ""));
    let received = Received {
        request_line: request_line.to_owned(),
        headers: headers.to_owned(),
        body,
    };
    let behaviour = choose(&received);
    log.lock().expect("lock").push(received.clone());
    match behaviour {
        Behaviour::Reply {
            status,
            content_type,
            body,
        } => {
            let head = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(&body).await;
        }
        Behaviour::Echo => {
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                received.body.len()
            );
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(received.body.as_bytes()).await;
        }
        Behaviour::Hang => {
            std::future::pending::<()>().await;
        }
        Behaviour::DropAfterRequest => {}
        Behaviour::TruncatedBody => {
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{\"code\":\"0")
                .await;
        }
    }
    let _ = stream.shutdown().await;
}

pub fn json(body: &str) -> Behaviour {
    Behaviour::Reply {
        status: 200,
        content_type: "application/json",
        body: body.as_bytes().to_vec(),
    }
}

pub fn xml(body: &str) -> Behaviour {
    Behaviour::Reply {
        status: 200,
        content_type: "text/xml",
        body: body.as_bytes().to_vec(),
    }
}
