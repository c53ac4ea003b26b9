#include <malloc.h>

#include <csignal>

#include "main/VicaryServer.h"

int main(int argc, char** argv)
{
    // Block the termination signals before any thread exists, so that every thread inherits the mask and only the
    // main thread, waiting in sigwait(), receives them.
    sigset_t termination;
    sigemptyset(&termination);
    sigaddset(&termination, SIGINT);
    sigaddset(&termination, SIGTERM);
    sigaddset(&termination, SIGQUIT);
    sigaddset(&termination, SIGHUP);  // reload, taken by the main thread's sigwait too
    pthread_sigmask(SIG_BLOCK, &termination, nullptr);
    // glibc gives each thread that allocates concurrently an arena of its own, up to 8 per core, and an arena keeps what
    // it once held: with a thread per client connection that is most of the resident memory under load. Requests here
    // allocate little (bodies go through sendfile and fixed buffers), so two arenas cost no measurable contention.
    mallopt(M_ARENA_MAX, 2);
    // A client that goes away mid-response must cost us a failed write, not the process.
    std::signal(SIGPIPE, SIG_IGN);

    vicary::VicaryServer server;
    return server.run(argc, argv);
}
