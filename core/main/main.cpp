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
    // A client that goes away mid-response must cost us a failed write, not the process.
    std::signal(SIGPIPE, SIG_IGN);

    vicary::VicaryServer server;
    return server.run(argc, argv);
}
