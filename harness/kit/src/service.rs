//! A service under test or under load, in-process but apart: its own
//! thread and tokio runtime, listening on a free loopback port.
//!
//! A load bench that served from its own runtime would share worker threads
//! with the load generator, and its CPU profile could not tell the two
//! apart. [`ServiceThread`] runs the server the way a separate process
//! would: on a std thread and runtime of its own whose threads all carry
//! one name (so a profile can keep the service's threads by name), on
//! `127.0.0.1:0` (so parallel tests never collide on a port). It reports
//! the address once the server is listening, and stops it on
//! [`ServiceThread::stop`] or drop, waiting for the thread to end.
//!
//! The server itself is the caller's: a `setup` future run on the new
//! runtime (connect to a database, build a router) that returns a function
//! serving on the bound listener, such as `axum::serve`. What it does not
//! do: retry, drain connections on stop (in-flight requests are dropped, as
//! a killed process would drop them), or pick a port other than loopback.

use std::fmt::Display;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::mpsc;
use std::thread::JoinHandle;

use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// Where every [`ServiceThread`] listens: loopback, any free port.
pub const LOOPBACK: &str = "127.0.0.1:0";

/// Why a service did not start, or how it ended. Each names the service's
/// thread.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServiceError {
    /// The thread or its runtime could not be created.
    #[error("starting the {name} runtime: {source}")]
    Runtime {
        name: String,
        #[source]
        source: std::io::Error,
    },
    /// The caller's setup failed; `message` is its error.
    #[error("{name}: {message}")]
    Setup { name: String, message: String },
    /// No loopback port could be bound.
    #[error("{name}: binding {LOOPBACK}: {source}")]
    Bind {
        name: String,
        #[source]
        source: std::io::Error,
    },
    /// The thread ended (it panicked) before it said whether it listens.
    #[error("the {name} thread died before listening")]
    Died { name: String },
    /// The server returned an error before it was stopped.
    #[error("{name} stopped: {source}")]
    Serve {
        name: String,
        #[source]
        source: std::io::Error,
    },
}

/// A server running on its own thread and runtime; see the module docs.
#[derive(Debug)]
pub struct ServiceThread {
    name: String,
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<std::io::Result<()>>>,
}

impl ServiceThread {
    /// Starts a thread and a multi-threaded runtime named `name` (Linux
    /// keeps 15 bytes of it), runs `setup` there, binds [`LOOPBACK`] and
    /// hands the listener to the function `setup` returned. Returns once
    /// the server listens, or with the first error on the way.
    pub fn start<Setup, SetupFut, Serve, ServeFut, E>(
        name: &str,
        setup: Setup,
    ) -> Result<ServiceThread, ServiceError>
    where
        Setup: FnOnce() -> SetupFut + Send + 'static,
        SetupFut: Future<Output = Result<Serve, E>>,
        E: Display,
        Serve: FnOnce(TcpListener) -> ServeFut,
        ServeFut: Future<Output = std::io::Result<()>>,
    {
        let (ready_tx, ready_rx) = mpsc::channel::<Result<SocketAddr, ServiceError>>();
        let (shutdown, stop) = oneshot::channel::<()>();
        let thread_name = name.to_owned();
        let runtime_error = |source| ServiceError::Runtime {
            name: name.to_owned(),
            source,
        };
        let thread = std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                let name = thread_name;
                let runtime = match tokio::runtime::Builder::new_multi_thread()
                    .enable_all()
                    .thread_name(&name)
                    .build()
                {
                    Ok(rt) => rt,
                    Err(source) => {
                        let _ = ready_tx.send(Err(ServiceError::Runtime { name, source }));
                        return Ok(());
                    }
                };
                runtime.block_on(async move {
                    let serve = match setup().await {
                        Ok(serve) => serve,
                        Err(e) => {
                            let message = e.to_string();
                            let _ = ready_tx.send(Err(ServiceError::Setup { name, message }));
                            return Ok(());
                        }
                    };
                    let bound = async {
                        let listener = TcpListener::bind(LOOPBACK).await?;
                        let addr = listener.local_addr()?;
                        Ok::<_, std::io::Error>((listener, addr))
                    };
                    let (listener, addr) = match bound.await {
                        Ok(bound) => bound,
                        Err(source) => {
                            let _ = ready_tx.send(Err(ServiceError::Bind { name, source }));
                            return Ok(());
                        }
                    };
                    let _ = ready_tx.send(Ok(addr));
                    // Biased, serve first: a server that has already
                    // failed reports its error even when the stop signal
                    // is there by its first poll (an unbiased select picks
                    // at random and the error was lost now and then).
                    tokio::select! {
                        biased;
                        result = serve(listener) => result,
                        _ = stop => Ok(()),
                    }
                })
            })
            .map_err(runtime_error)?;
        match ready_rx.recv() {
            Ok(Ok(addr)) => Ok(ServiceThread {
                name: name.to_owned(),
                addr,
                shutdown: Some(shutdown),
                thread: Some(thread),
            }),
            Ok(Err(e)) => {
                let _ = thread.join();
                Err(e)
            }
            Err(mpsc::RecvError) => {
                let _ = thread.join();
                Err(ServiceError::Died {
                    name: name.to_owned(),
                })
            }
        }
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://` and the address, for HTTP clients.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The name of the service's threads.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Stops the server and waits for its thread. Fails when the server
    /// had already ended with an error of its own.
    pub fn stop(mut self) -> Result<(), ServiceError> {
        self.shut_down()
    }

    fn shut_down(&mut self) -> Result<(), ServiceError> {
        if let Some(shutdown) = self.shutdown.take() {
            // Err only when the server already ended; joining says how.
            let _ = shutdown.send(());
        }
        let Some(thread) = self.thread.take() else {
            return Ok(());
        };
        match thread.join() {
            Ok(Ok(())) => Ok(()),
            Ok(Err(source)) => Err(ServiceError::Serve {
                name: self.name.clone(),
                source,
            }),
            Err(_) => Err(ServiceError::Died {
                name: self.name.clone(),
            }),
        }
    }
}

impl Drop for ServiceThread {
    fn drop(&mut self) {
        let _ = self.shut_down();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use tokio::io::AsyncWriteExt;

    /// Answers every connection with the name of the thread that accepted
    /// it and closes it.
    async fn greet(listener: TcpListener) -> std::io::Result<()> {
        loop {
            let (mut stream, _) = listener.accept().await?;
            let name = std::thread::current().name().unwrap_or("").to_owned();
            stream.write_all(name.as_bytes()).await?;
        }
    }

    fn read_from(addr: SocketAddr) -> String {
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        let mut text = String::new();
        stream.read_to_string(&mut text).unwrap();
        text
    }

    #[test]
    fn serves_on_loopback_from_named_threads_until_stopped() {
        let service =
            ServiceThread::start("kit-test-svc", || async { Ok::<_, String>(greet) }).unwrap();
        let addr = service.addr();
        assert!(addr.ip().is_loopback(), "{addr}");
        assert_ne!(addr.port(), 0);
        assert_eq!(service.base_url(), format!("http://{addr}"));
        assert_eq!(read_from(addr), "kit-test-svc");
        service.stop().unwrap();
        // Stopped: the listener is closed, so loopback refuses at once.
        assert!(std::net::TcpStream::connect(addr).is_err());
    }

    #[test]
    fn a_failed_setup_is_returned_with_the_service_name() {
        let err = ServiceThread::start("kit-test-bad", || async {
            Err::<fn(TcpListener) -> std::future::Ready<std::io::Result<()>>, _>(
                "no database at /nowhere",
            )
        })
        .unwrap_err();
        assert!(matches!(err, ServiceError::Setup { .. }), "{err}");
        assert_eq!(err.to_string(), "kit-test-bad: no database at /nowhere");
    }

    #[test]
    fn a_server_error_is_reported_on_stop() {
        let service = ServiceThread::start("kit-test-err", || async {
            Ok::<_, String>(|_listener: TcpListener| async {
                Err(std::io::Error::other("listener closed"))
            })
        })
        .unwrap();
        // The server ends at once; stop collects its error.
        let err = service.stop().unwrap_err();
        assert_eq!(err.to_string(), "kit-test-err stopped: listener closed");
    }
}
