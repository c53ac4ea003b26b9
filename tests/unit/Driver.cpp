// Runs the CppUnit suite registered under the name given as the first argument (all suites without one).
#include <cppunit/BriefTestProgressListener.h>
#include <cppunit/CompilerOutputter.h>
#include <cppunit/TestResult.h>
#include <cppunit/TestResultCollector.h>
#include <cppunit/TestRunner.h>
#include <cppunit/extensions/TestFactoryRegistry.h>

#include <iostream>

int main(int argc, char** argv)
{
    CppUnit::TestFactoryRegistry& registry =
        argc > 1 ? CppUnit::TestFactoryRegistry::getRegistry(argv[1]) : CppUnit::TestFactoryRegistry::getRegistry();
    CppUnit::TestResult controller;
    CppUnit::TestResultCollector collector;
    CppUnit::BriefTestProgressListener progress;
    controller.addListener(&collector);
    controller.addListener(&progress);

    CppUnit::TestRunner runner;
    runner.addTest(registry.makeTest());
    runner.run(controller);

    CppUnit::CompilerOutputter outputter(&collector, std::cerr);
    outputter.write();
    if (collector.runTests() == 0) {
        std::cerr << "no test ran for suite '" << (argc > 1 ? argv[1] : "All Tests") << "'\n";
        return 1;
    }
    return collector.wasSuccessful() ? 0 : 1;
}
