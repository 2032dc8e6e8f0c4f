-- Lmod module of the test's STAND-IN apptainer: puts ../bin first on PATH.
whatis("Stand-in apptainer for the CryoSPARC app's tests")
local here = myFileName():match("(.*)/")
prepend_path("PATH", pathJoin(here, "..", "bin"))
